/**
 * gridflex-watch: any part of the hub's world (feeder buses, summary, prices, tariffs, rules, table map,
 * homes, metrics, events, audit …), each message checked against its schema before it goes out.
 */
const { refuse, show, useHub } = require('../lib/node-kit.js');
const { check, loadProtocol, parseJson } = require('../lib/protocol.js');

module.exports = async function registerGridflexWatch(RED) {
  const protocol = await loadProtocol();
  const specs = protocol.GRIDFLEX_TOPIC_SPECS.filter((spec) => spec.publisher === 'hub');

  function GridflexWatchNode(config) {
    RED.nodes.createNode(this, config);
    const hub = useHub(RED, this, config.hub);
    const spec = specs.find((candidate) => candidate.pattern === config.topic);
    if (!hub) return;
    if (!spec) {
      show(this, 'red', 'ring', `unknown topic "${config.topic}"`);
      return;
    }
    // `<home>` and the like become `+`, or the node's home ID when it names one.
    const filter = spec.pattern.replace(/<[^>]+>/g, config.home ? config.home : '+');
    const stop = hub.client.subscribe(filter, (topic, payload) => {
      const body = check(spec.schema, parseJson(payload));
      if (!body.ok) {
        refuse(this, { topic, payload: payload.toString() }, `${topic}: ${body.reason}`, () => {});
        return;
      }
      this.send({ topic, payload: body.data });
    });
    this.on('close', stop);
  }

  RED.nodes.registerType('gridflex-watch', GridflexWatchNode);
};
