/**
 * What every GridFlex node shares: the link to its hub config node with the connection shown in its
 * status, refusing a bad message (red ring + reason, node.error with the message, never a throw), and
 * sending a control message whose answer comes back from the hub on `gridflex/v1/audit`.
 */
const { check } = require('./protocol.js');

const STATUS_TEXT_MAX = 60;

const CONNECTION_STATUS = {
  connecting: { fill: 'yellow', shape: 'ring', text: 'connecting' },
  connected: { fill: 'green', shape: 'dot', text: 'connected' },
  disconnected: { fill: 'red', shape: 'ring', text: 'disconnected' },
  refused: { fill: 'red', shape: 'ring', text: 'refused by the hub' },
};

function shorten(text) {
  return text.length > STATUS_TEXT_MAX ? `${text.slice(0, STATUS_TEXT_MAX - 1)}…` : text;
}

/** Shows `reason` in the node's status (red ring) and reports it with the message; the flow carries on. */
function refuse(node, msg, reason, done) {
  node.status({ fill: 'red', shape: 'ring', text: shorten(reason) });
  node.error(reason, msg);
  done();
}

/** Shows a short result in the node's status. */
function show(node, fill, shape, text) {
  node.status({ fill, shape, text: shorten(text) });
}

/**
 * The hub config node a node names, with its connection state mirrored in the node's status.
 * Returns null (and shows why) when the node has no hub.
 */
function useHub(RED, node, hubId) {
  const hub = hubId ? RED.nodes.getNode(hubId) : null;
  if (!hub?.client) {
    show(node, 'red', 'ring', 'no GridFlex hub configured');
    return null;
  }
  const onState = (state, reason) => {
    const status = CONNECTION_STATUS[state] ?? CONNECTION_STATUS.disconnected;
    node.status({
      ...status,
      text: shorten(reason && state !== 'connected' ? `${status.text}: ${reason}` : status.text),
    });
  };
  hub.client.on('state', onState);
  onState(hub.client.state, hub.client.reason);
  node.on('close', () => hub.client.off('state', onState));
  return hub;
}

/**
 * Wraps an input handler so that nothing it throws escapes: an unexpected error is refused like a bad
 * message. `handler(msg, send, done)` may return a promise.
 */
function guardInput(node, handler) {
  node.on('input', (msg, send, done) => {
    try {
      Promise.resolve(handler(msg, send, done)).catch((error) => refuse(node, msg, error.message, done));
    } catch (error) {
      refuse(node, msg, error.message, done);
    }
  });
}

/**
 * Validates `body` with `schema`, publishes it on `topic` and shows the outcome: yellow while the hub has
 * not answered, then green (accepted) or red (refused, also reported with node.error). The hub's answer
 * (an audit entry) is sent on the node's output with the original message's properties.
 */
async function sendControl({ node, hub, protocol, topic, schema, body, msg, send, done, summary }) {
  const audited = protocol.AuditEntrySchema !== undefined;
  const withId =
    audited && body && typeof body === 'object' && body.requestId === undefined
      ? { ...body, requestId: hub.nextRequestId() }
      : body;
  const result = check(schema, withId);
  if (!result.ok) {
    refuse(node, msg, `invalid ${summary}: ${result.reason}`, done);
    return;
  }
  if (audited) {
    hub.awaitAnswer(result.data.requestId, (entry) => {
      if (entry.accepted) show(node, 'green', 'dot', `accepted: ${entry.reason}`);
      else {
        show(node, 'red', 'ring', `refused: ${entry.reason}`);
        node.error(`the hub refused the ${summary}: ${entry.reason}`, msg);
      }
      send({ ...msg, topic: protocol.gridflexTopics.audit(), payload: entry, accepted: entry.accepted });
    });
  }
  try {
    await hub.client.publish(topic, JSON.stringify(result.data));
  } catch (error) {
    hub.forgetAnswer(result.data.requestId);
    refuse(node, msg, `${summary} not sent: ${error.message}`, done);
    return;
  }
  show(node, audited ? 'yellow' : 'green', 'dot', `sent ${summary}${audited ? ', waiting for the hub' : ''}`);
  done();
}

module.exports = { refuse, show, useHub, guardInput, sendControl };
