/**
 * gridflex-tariff: a supplier publishes a tariff offer. The node's tariff (JSON) is the default; an object in
 * msg.payload overrides its fields. The hub checks the offer against the regulator's rules and answers.
 */
const { bodyFrom } = require('../lib/message-body.js');
const { guardInput, refuse, sendControl, useHub } = require('../lib/node-kit.js');
const { check, loadProtocol } = require('../lib/protocol.js');

module.exports = async function registerGridflexTariff(RED) {
  const protocol = await loadProtocol();

  function GridflexTariffNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const hub = useHub(RED, node, config.hub);
    hub?.watchAnswers();

    guardInput(node, (msg, send, done) => {
      if (!hub) return refuse(node, msg, 'no GridFlex hub configured', done);
      const supplier = check(protocol.TopicIdSchema, config.supplier);
      if (!supplier.ok)
        return refuse(node, msg, `supplier ID "${config.supplier}": ${supplier.reason}`, done);
      const built = bodyFrom(config.tariff, msg.payload);
      if (!built.ok) return refuse(node, msg, built.reason, done);
      return sendControl({
        node,
        hub,
        protocol,
        topic: protocol.controlTopics.supplierTariff(supplier.data),
        schema: protocol.SupplierTariffSchema,
        body: built.body,
        msg,
        send,
        done,
        summary: `tariff ${built.body.tariffId ?? '?'}`,
      });
    });
  }

  RED.nodes.registerType('gridflex-tariff', GridflexTariffNode);
};
