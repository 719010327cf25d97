/**
 * gridflex-resident: a resident's voice for their home: preferences (weights, comfort band, EV ready-by
 * and target), a boost (run the heat pump or EV at full power for some minutes), or a plan (policy
 * `external`: the home's own agent answers the hub's plan request, docs/agents.md). The node's defaults
 * (JSON) apply; an object in msg.payload overrides their fields. A resident agent written as a function
 * node sends its decisions here.
 */
const { bodyFrom } = require('../lib/message-body.js');
const { guardInput, refuse, sendControl, useHub } = require('../lib/node-kit.js');
const { check, loadProtocol } = require('../lib/protocol.js');

module.exports = async function registerGridflexResident(RED) {
  const protocol = await loadProtocol();
  const actions = {
    preferences: {
      topic: protocol.controlTopics.residentPreferences,
      schema: protocol.ResidentPreferencesSchema,
      summary: 'preferences',
    },
    boost: {
      topic: protocol.controlTopics.residentBoost,
      schema: protocol.ResidentBoostSchema,
      summary: 'boost',
    },
    plan: {
      topic: protocol.controlTopics.residentPlan,
      schema: protocol.ResidentPlanSchema,
      summary: 'plan',
    },
  };

  function GridflexResidentNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const hub = useHub(RED, node, config.hub);
    hub?.watchAnswers();

    guardInput(node, (msg, send, done) => {
      if (!hub) return refuse(node, msg, 'no GridFlex hub configured', done);
      const home = check(protocol.TopicIdSchema, config.home);
      if (!home.ok) return refuse(node, msg, `home ID "${config.home}": ${home.reason}`, done);
      const action = actions[config.action];
      if (!action)
        return refuse(
          node,
          msg,
          `unknown action "${config.action}" (expected preferences, boost or plan)`,
          done,
        );
      const built = bodyFrom(config.defaults, msg.payload);
      if (!built.ok) return refuse(node, msg, built.reason, done);
      return sendControl({
        node,
        hub,
        protocol,
        topic: action.topic(home.data),
        schema: action.schema,
        body: built.body,
        msg,
        send,
        done,
        summary: `${home.data} ${action.summary}`,
      });
    });
  }

  RED.nodes.registerType('gridflex-resident', GridflexResidentNode);
};
