/**
 * gridflex-rule: a rule for the street, either the regulator's (price cap, allowed tariff shapes, switching
 * lag, network charge bands, …) or the citizens' assembly's rules for the shared battery. The node's rules
 * (JSON) are the default; an object in msg.payload overrides its fields. Only the fields sent change.
 */
const { bodyFrom } = require('../lib/message-body.js');
const { guardInput, refuse, sendControl, useHub } = require('../lib/node-kit.js');
const { loadProtocol } = require('../lib/protocol.js');

module.exports = async function registerGridflexRule(RED) {
  const protocol = await loadProtocol();
  /** Rule kinds this hub's protocol knows: the topic and schema of each. */
  const kinds = {
    regulator: {
      topic: protocol.controlTopics.regulatorRules(),
      schema: protocol.RegulatorRulesSchema,
      summary: "regulator's rules",
    },
    ...(protocol.controlTopics.assemblyBatteryRules
      ? {
          assembly: {
            topic: protocol.controlTopics.assemblyBatteryRules(),
            schema: protocol.AssemblyBatteryRulesSchema,
            summary: "assembly's shared-battery rules",
          },
        }
      : {}),
  };

  function GridflexRuleNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const hub = useHub(RED, node, config.hub);
    hub?.watchAnswers();

    guardInput(node, (msg, send, done) => {
      if (!hub) return refuse(node, msg, 'no GridFlex hub configured', done);
      const kind = kinds[config.kind];
      if (!kind) {
        return refuse(
          node,
          msg,
          `unknown rule kind "${config.kind}" (expected ${Object.keys(kinds).join(' or ')})`,
          done,
        );
      }
      const built = bodyFrom(config.rules, msg.payload);
      if (!built.ok) return refuse(node, msg, built.reason, done);
      return sendControl({ node, hub, protocol, ...kind, body: built.body, msg, send, done });
    });
  }

  RED.nodes.registerType('gridflex-rule', GridflexRuleNode);
};
