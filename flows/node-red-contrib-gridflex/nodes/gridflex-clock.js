/**
 * gridflex-clock: the hub's simulation clock. Out: the clock after each step (or once every N simulated
 * minutes). In: clock controls (play, pause, step, speed, jump) for the operator and regulator roles,
 * when the hub has them: msg.payload is {action, …} or just the action's name.
 */
const { guardInput, refuse, sendControl, show, useHub } = require('../lib/node-kit.js');
const { check, loadProtocol, parseJson } = require('../lib/protocol.js');

const MINUTE_MS = 60_000;

module.exports = async function registerGridflexClock(RED) {
  const protocol = await loadProtocol();
  const controllable =
    protocol.controlTopics.clock !== undefined && protocol.ClockControlSchema !== undefined;

  function GridflexClockNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const hub = useHub(RED, node, config.hub);
    const everyMinutes = Number(config.everyMinutes) || 0;
    let lastSlot = null;

    if (hub) {
      if (controllable) hub.watchAnswers();
      const stop = hub.client.subscribe(protocol.gridflexTopics.clock(), (topic, payload) => {
        const clock = check(protocol.ClockSchema, parseJson(payload));
        if (!clock.ok) {
          node.warn(`ignored a clock message that does not match the protocol (${clock.reason})`);
          return;
        }
        const simMs = Date.parse(clock.data.simTime);
        if (everyMinutes > 0) {
          // One message per slot of N simulated minutes, whatever the step length.
          const slot = Math.floor(simMs / (everyMinutes * MINUTE_MS));
          if (slot === lastSlot) return;
          lastSlot = slot;
        }
        node.send({ topic, payload: clock.data });
      });
      node.on('close', stop);
    }

    guardInput(node, (msg, _send, done) => {
      if (!hub) return refuse(node, msg, 'no GridFlex hub configured', done);
      if (!controllable) return refuse(node, msg, 'this hub has no clock controls', done);
      const body = typeof msg.payload === 'string' ? { action: msg.payload } : msg.payload;
      return sendControl({
        node,
        hub,
        protocol,
        topic: protocol.controlTopics.clock(),
        schema: protocol.ClockControlSchema,
        body,
        msg,
        // The clock's output carries the clock: the hub's answer shows in the status only.
        send: () => {},
        done,
        summary: `clock ${body?.action ?? 'control'}`,
      });
    });
    if (!controllable && hub) show(node, 'grey', 'ring', 'clock out only (no controls on this hub)');
  }

  RED.nodes.registerType('gridflex-clock', GridflexClockNode);
};
