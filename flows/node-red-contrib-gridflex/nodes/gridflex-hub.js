/**
 * Config node: the connection to a GridFlex hub's broker. Blank fields fall back to the connection
 * `npm run flows` was started with (settings.gridflex), so the examples work as they are.
 */
const { randomBytes } = require('node:crypto');
const { HubClient } = require('../lib/hub-client.js');
const { loadProtocol } = require('../lib/protocol.js');

/** Answers the hub may still owe; the oldest is forgotten beyond this (an old hub never answers). */
const MAX_PENDING_ANSWERS = 200;

module.exports = async function registerGridflexHub(RED) {
  const protocol = await loadProtocol();

  function GridflexHubNode(config) {
    RED.nodes.createNode(this, config);
    const defaults = RED.settings.gridflex ?? {};
    const credentials = this.credentials ?? {};
    const ownLogin = Boolean(credentials.username);
    this.brokerUrl = config.broker || defaults.brokerUrl || 'mqtt://127.0.0.1:1883';
    const username = ownLogin ? credentials.username : defaults.username;
    const password = ownLogin ? credentials.password : defaults.password;
    this.client = new HubClient({
      url: this.brokerUrl,
      username,
      password,
      clientId: `node-red-${randomBytes(4).toString('hex')}`,
    });
    // Said once per new problem, not at every reconnect attempt while the hub is down.
    let lastProblem = '';
    this.client.on('state', (state, reason) => {
      if (state === 'connected') lastProblem = '';
      if (!(state === 'refused' || (state === 'disconnected' && reason))) return;
      const problem = `${state}: ${reason}`;
      if (problem === lastProblem) return;
      lastProblem = problem;
      this.warn(`hub ${this.brokerUrl}${username ? ` as ${username}` : ''}: ${problem}`);
    });

    let requestCount = 0;
    const prefix = `nr-${randomBytes(3).toString('hex')}`;
    /** requestId -> callback(auditEntry) */
    const pending = new Map();
    let followingAnswers = false;

    /** A fresh request ID for a control message (the hub echoes it in its audit answer). */
    this.nextRequestId = () => `${prefix}-${++requestCount}`;

    /** Follows the hub's answers to control messages (control nodes call it when they start). */
    this.watchAnswers = () => {
      if (!followingAnswers && protocol.AuditEntrySchema !== undefined) {
        followingAnswers = true;
        this.client.subscribe(protocol.gridflexTopics.audit(), (_topic, payload) => {
          let entry;
          try {
            entry = protocol.AuditEntrySchema.parse(JSON.parse(payload.toString()));
          } catch {
            return; // not an answer this node can read; the hub's own log has it
          }
          const callback = entry.requestId === undefined ? undefined : pending.get(entry.requestId);
          if (!callback) return;
          pending.delete(entry.requestId);
          callback(entry);
        });
      }
    };

    /** Calls `onAnswer(entry)` once the hub answers the control message with this request ID. */
    this.awaitAnswer = (requestId, onAnswer) => {
      this.watchAnswers();
      pending.set(requestId, onAnswer);
      if (pending.size > MAX_PENDING_ANSWERS) pending.delete(pending.keys().next().value);
    };

    this.forgetAnswer = (requestId) => pending.delete(requestId);

    this.on('close', (done) => {
      pending.clear();
      this.client.close().then(() => done());
    });
  }

  RED.nodes.registerType('gridflex-hub', GridflexHubNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};
