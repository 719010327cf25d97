/**
 * gridflex-device: one board's Homie 5 stream. Out: each property value (`msg.topic` = "node/property",
 * `msg.payload` = the value, read for its datatype from the device's `$description`) and `$state` changes. In: a command for a
 * settable property (`msg.topic` = "node/property", or the node's property), checked against the device's
 * own `$description` (settable, datatype, range) and sent to its `/set` topic.
 */
const { guardInput, refuse, show, useHub } = require('../lib/node-kit.js');
const { check, loadProtocol, parseJson } = require('../lib/protocol.js');

module.exports = async function registerGridflexDevice(RED) {
  const protocol = await loadProtocol();

  function GridflexDeviceNode(config) {
    RED.nodes.createNode(this, config);
    const hub = useHub(RED, this, config.hub);
    const deviceId = check(protocol.HomieIdSchema, config.device);
    /** The device's `$description`, to check commands against. */
    let description = null;

    if (hub && !deviceId.ok) show(this, 'red', 'ring', `device ID "${config.device}": ${deviceId.reason}`);
    if (hub && deviceId.ok) {
      const device = deviceId.data;
      const stop = hub.client.subscribe(`${protocol.HOMIE_ROOT}/${device}/#`, (topic, payload) => {
        const parsed = protocol.parseHomieTopic(topic);
        if (!parsed || parsed.deviceId !== device) return;
        if (parsed.kind === 'state') {
          const state = payload.toString();
          show(
            this,
            state === 'ready' ? 'green' : 'grey',
            state === 'ready' ? 'dot' : 'ring',
            `${device}: ${state}`,
          );
          this.send({ topic: '$state', payload: state, device });
        } else if (parsed.kind === 'description') {
          const described = check(protocol.HomieDescriptionSchema, parseJson(payload));
          if (described.ok) description = described.data;
          else this.warn(`${device}: ignored a $description that is not Homie 5 (${described.reason})`);
        } else if (parsed.kind === 'property') {
          const property = `${parsed.nodeId}/${parsed.propertyId}`;
          if (config.property && config.property !== property) return;
          const described = description?.nodes?.[parsed.nodeId]?.properties?.[parsed.propertyId];
          const reading = described
            ? protocol.parseHomieValue(payload, described)
            : { ok: false, reason: 'its $description does not list it' };
          if (!reading.ok) {
            this.warn(`${device}/${property}: ignored a value that is not valid (${reading.reason})`);
            return;
          }
          this.send({ topic: property, payload: reading.value, device });
        }
      });
      this.on('close', stop);
    }

    guardInput(this, async (msg, _send, done) => {
      if (!hub) return refuse(this, msg, 'no GridFlex hub configured', done);
      if (!deviceId.ok) return refuse(this, msg, `device ID "${config.device}": ${deviceId.reason}`, done);
      const target = typeof msg.topic === 'string' && msg.topic.includes('/') ? msg.topic : config.property;
      const [nodeId, propertyId, extra] = (target ?? '').split('/');
      if (!nodeId || !propertyId || extra !== undefined) {
        return refuse(
          this,
          msg,
          `msg.topic must name a property as "node/property", got "${target ?? ''}"`,
          done,
        );
      }
      if (!description)
        return refuse(this, msg, `no $description from ${deviceId.data} yet (is it online?)`, done);
      const property = description.nodes?.[nodeId]?.properties?.[propertyId];
      if (!property) return refuse(this, msg, `${deviceId.data} has no property ${target}`, done);
      const text =
        typeof msg.payload === 'object' && msg.payload !== null
          ? JSON.stringify(msg.payload)
          : String(msg.payload);
      const parsed = protocol.parseSetPayload(text, property);
      if (!parsed.ok) return refuse(this, msg, `${target}: ${parsed.reason}`, done);
      try {
        await hub.client.publish(
          protocol.homieTopics.set(deviceId.data, nodeId, propertyId),
          protocol.formatHomieValue(parsed.value),
        );
      } catch (error) {
        return refuse(this, msg, `command not sent: ${error.message}`, done);
      }
      show(this, 'green', 'dot', `set ${target} = ${parsed.value}`);
      done();
    });
  }

  RED.nodes.registerType('gridflex-device', GridflexDeviceNode);
};
