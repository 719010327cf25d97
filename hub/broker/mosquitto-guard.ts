import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { COSIM_ROOT } from '../../protocol/cosim.js';
import { GRIDFLEX_ROOT, gridflexTopics, type SecurityEvent } from '../../protocol/gridflex.js';
import { HOMIE_ROOT } from '../../protocol/homie.js';
import { mayPublish } from '../auth/acl.js';
import { type HoldOff, IdentityRateLimits, type RateLimit } from './rate-limiter.js';
import { RetainedLedger, type RetainedQuota } from './retained-quota.js';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const CONTROL_RESPONSE = `${CONTROL_TOPIC}/response`;
/** Marks the plugin's clients the guard made, so a restarted hub re-enables the boards a stopped one held. */
const HELD_TEXT = 'gridflex: held off by the hub';
/** How long the guard waits for the plugin's first answer before deciding it is not there. */
const PLUGIN_ANSWER_MS = 3000;
/** The retained-quota refusal is logged at most this often per board. */
const QUOTA_LOG_INTERVAL_MS = 60_000;

/** Options of {@link MosquittoGuard.start}. */
export interface MosquittoGuardOptions {
  url: string;
  username: string;
  password: string;
  rateLimit: RateLimit;
  holdOff: HoldOff;
  retainedQuota: RetainedQuota;
  /** Whether a device ID is a board with a login (only those are held off: the topic names the board). */
  isBoard: (deviceId: string) => boolean;
  report: (event: SecurityEvent) => void;
  log: (message: string) => void;
}

interface ControlCommand {
  command: string;
  username?: string;
  textname?: string;
  verbose?: boolean;
}

/**
 * The embedded broker's publish rate and retained quota by board identity (hub/broker/rate-limiter.ts,
 * retained-quota.ts), held on an external Mosquitto from outside: the guard reads every board's topics (with
 * MQTT 5's retain-as-published, so it sees which are retained), and a board over its rate is disconnected and
 * refused for its hold-off through Mosquitto's dynamic security plugin (disableClient, then deleteClient);
 * retained topics over a board's quota are cleared with empty retained messages and the board disconnected.
 * Mosquitto tells nobody who sent a message, so the board is the one whose topics it is: Mosquitto's ACL lets
 * only that board (and the hub) publish there. The hub's own `/set` commands are not counted.
 */
export class MosquittoGuard {
  private readonly rates: IdentityRateLimits;
  private readonly retained: RetainedLedger;
  /** Board → when its hold-off ends (a timer re-enables it). */
  private readonly held = new Map<string, NodeJS.Timeout>();
  private readonly quotaLoggedMs = new Map<string, number>();
  private pluginAnswered = false;

  private constructor(
    private readonly client: MqttClient,
    private readonly options: MosquittoGuardOptions,
  ) {
    this.rates = new IdentityRateLimits(options.rateLimit, options.holdOff);
    this.retained = new RetainedLedger(options.retainedQuota);
  }

  /** Connects as the hub, re-enables boards a previous hub left held off, and starts watching. */
  static async start(options: MosquittoGuardOptions): Promise<MosquittoGuard> {
    const client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: `${options.username}-guard`,
      username: options.username,
      password: options.password,
      reconnectPeriod: 1000,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (error) => {
        client.end(true);
        reject(error);
      });
    });
    client.on('error', (error) => options.log(`guard: ${error.message}`));
    const guard = new MosquittoGuard(client, options);
    await guard.attach();
    return guard;
  }

  /** Stops watching; boards still held off are let in again (their hold-off was this hub's). */
  async close(): Promise<void> {
    const held = [...this.held.keys()];
    for (const timer of this.held.values()) clearTimeout(timer);
    this.held.clear();
    // While Mosquitto is away the commands would wait for it; the next hub lets those boards in.
    if (held.length > 0 && this.pluginAnswered && this.client.connected)
      await this.control(held.map((username) => ({ command: 'deleteClient', username })));
    await this.client.endAsync();
  }

  private async attach(): Promise<void> {
    const answered = new Promise<string>((resolve) => {
      this.client.on('message', (topic, payload, packet) => {
        if (topic === CONTROL_RESPONSE) resolve(payload.toString());
        else this.onMessage(topic, payload, packet);
      });
    });
    await this.client.subscribeAsync(CONTROL_RESPONSE, { qos: 1 });
    await this.control([{ command: 'listClients', verbose: true }]);
    const first = await Promise.race([
      answered,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), PLUGIN_ANSWER_MS).unref()),
    ]);
    this.pluginAnswered = first !== null;
    if (first === null) {
      this.options.log(
        `guard: Mosquitto's dynamic security plugin did not answer on ${CONTROL_TOPIC} (run \`gridflex mosquitto-config\` again): boards over their rate are only logged; retained topics over quota are still cleared`,
      );
    } else await this.releaseLeftovers(first);
    this.client.on('message', (topic, payload) => {
      if (topic === CONTROL_RESPONSE) this.logErrors(payload.toString());
    });
    const filters = [`${HOMIE_ROOT}/#`, `${COSIM_ROOT}/#`, gridflexTopics.linksPong('+')];
    // Retain as published: otherwise Mosquitto clears the retain flag of what it forwards to subscribers.
    await this.client.subscribeAsync(filters, { qos: 0, rap: true });
  }

  /** Boards a stopped hub left disabled get their logins back. */
  private async releaseLeftovers(answer: string): Promise<void> {
    const clients = parseResponse(answer)[0]?.data?.clients ?? [];
    const leftovers = clients.filter((entry) => entry.textname === HELD_TEXT).map((entry) => entry.username);
    if (leftovers.length > 0)
      await this.control(leftovers.map((username) => ({ command: 'deleteClient', username })));
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const board = boardOf(topic);
    if (board === null || !mayPublish({ role: 'device', deviceId: board }, topic)) return;
    // Still arriving from a connection already cut off: the offence was counted once.
    if (this.held.has(board)) return;
    const nowMs = Date.now();
    // Only a login publishes there (Mosquitto's ACL), so the credentials are read only before acting.
    if (!this.rates.take(board, nowMs)) {
      if (!this.options.isBoard(board)) return;
      const holdOffMs = this.rates.offend(board, nowMs);
      this.hold(board, holdOffMs);
      const limit = this.rates.limit;
      this.report(
        'rate-limited',
        board,
        topic,
        `over ${limit.perSecond} messages/s (burst ${limit.burst}) for this identity over all its connections: ${this.cutOff(`held off for ${holdOffMs / 1000} s`)}`,
      );
      return;
    }
    if (!packet.retain) return;
    const overQuota = this.retained.retain(board, topic, payload.length);
    if (overQuota === null || !this.options.isBoard(board)) return;
    this.client.publish(topic, '', { qos: 1, retain: true });
    this.kick(board);
    if (nowMs - (this.quotaLoggedMs.get(board) ?? Number.NEGATIVE_INFINITY) < QUOTA_LOG_INTERVAL_MS) return;
    this.quotaLoggedMs.set(board, nowMs);
    this.report('denied-publish', board, topic, `${overQuota} (cleared)`);
  }

  /** How the board is dealt with, for the log: without the plugin it cannot be. */
  private cutOff(how: string): string {
    return this.pluginAnswered
      ? `disconnected, ${how} (Mosquitto's dynamic security)`
      : 'not held off: no plugin';
  }

  private hold(board: string, holdOffMs: number): void {
    if (this.pluginAnswered)
      this.control([
        { command: 'createClient', username: board, textname: HELD_TEXT },
        { command: 'disableClient', username: board },
      ]);
    const timer = setTimeout(() => {
      this.held.delete(board);
      if (this.pluginAnswered) this.control([{ command: 'deleteClient', username: board }]);
    }, holdOffMs);
    timer.unref();
    this.held.set(board, timer);
  }

  /** Disconnects a board without holding it off: disabling its login closes its connections. */
  private kick(board: string): void {
    if (this.pluginAnswered)
      this.control([
        { command: 'createClient', username: board, textname: HELD_TEXT },
        { command: 'disableClient', username: board },
        { command: 'deleteClient', username: board },
      ]);
  }

  private control(commands: ControlCommand[]): Promise<void> {
    return this.client
      .publishAsync(CONTROL_TOPIC, JSON.stringify({ commands }), { qos: 1 })
      .then(() => undefined)
      .catch((error: Error) => this.options.log(`guard: ${CONTROL_TOPIC}: ${error.message}`));
  }

  private logErrors(answer: string): void {
    for (const response of parseResponse(answer)) {
      // A board disabled while its previous hold-off entry is still there: the entry does the same.
      if (response.error && response.error !== 'Client already exists')
        this.options.log(`guard: ${response.command}: ${response.error}`);
    }
  }

  private report(kind: SecurityEvent['kind'], board: string, topic: string, reason: string): void {
    this.options.report({
      kind,
      clientId: board,
      username: board,
      topic,
      reason,
      at: new Date().toISOString(),
    });
  }
}

interface ControlResponse {
  command?: string;
  error?: string;
  data?: { clients?: { username: string; textname?: string }[] };
}

function parseResponse(answer: string): ControlResponse[] {
  try {
    const parsed = JSON.parse(answer) as { responses?: ControlResponse[] };
    return Array.isArray(parsed.responses) ? parsed.responses : [];
  } catch {
    return [];
  }
}

/** The board whose topic this is (`homie/5/<id>/…`, `gridflex/cosim/v1/<id>/…`, its pong), if any. */
export function boardOf(topic: string): string | null {
  for (const root of [HOMIE_ROOT, COSIM_ROOT, `${GRIDFLEX_ROOT}/links/pong`]) {
    if (!topic.startsWith(`${root}/`)) continue;
    const id = topic.slice(root.length + 1).split('/')[0];
    return id ? id : null;
  }
  return null;
}
