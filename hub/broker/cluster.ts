/**
 * A broker on several nodes (`gridflex hub --cluster redis://…`): each node's Aedes shares its messages through
 * Redis pub/sub (mqemitter-redis) and its retained messages, QoS 1/2 subscriptions, offline queues and wills
 * through Redis keys (aedes-persistence-redis), so a board may connect to any node. One node runs the
 * simulation core; it holds a Redis lock with an expiry while it runs ({@link SimLock}).
 */
import { Readable } from 'node:stream';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import AsyncRedisPersistence from 'aedes-persistence-redis/asyncPersistence.js';
import { Redis } from 'ioredis';
import mqemitterRedis from 'mqemitter-redis';
import { COSIM_PARTICIPANT_FILTER } from '../../protocol/cosim.js';
import { gridflexFilters } from '../../protocol/gridflex.js';
import { topicMatches } from '../auth/acl.js';
import { InputError } from '../errors.js';
import { redisConnection } from '../redis-connection.js';
import { principalOfClient, type SharedHoldOffs } from './embedded-broker.js';

/**
 * How often each node tells the others it is alive, in ms. Aedes publishes the wills of a node's clients once it
 * has not been heard for 3 beats (checked every 4), so a node killed with its boards connected has their wills
 * out 15–35 s later (Aedes's default beat, 60 s, would make that 3–7 minutes).
 */
const HEARTBEAT_MS = 5000;

/** What {@link EmbeddedBroker} hands to `Aedes.createBroker` to be one node of a cluster. */
export interface AedesClusterParts {
  /** This node's Aedes broker ID: wills and offline queues in Redis are filed under it. */
  id: string;
  persistence: unknown;
  heartbeatInterval: number;
  /**
   * The emitter, made with the broker's delivery concurrency and MQTT's `a/#` matching `a` (MQTT-4.7.1-3), as
   * Aedes makes its in-memory one.
   */
  emitter(concurrency: number): unknown;
}

/**
 * aedes-persistence-redis 11/12 with Aedes 1.x: Aedes pipes the retained messages of a SUBSCRIBE
 * (`createRetainedStreamCombi(…).pipe`), and this persistence returns an async generator, which has no `pipe`
 * (a cross-node retained read crashed the broker). Its other streams go through `pipeline` or `for await`,
 * which take generators as they are. A read that fails (Redis away) goes to `onReadError`: Aedes listens for no
 * error on that stream, so it would end the process.
 */
class AedesRedisPersistence extends AsyncRedisPersistence {
  constructor(
    conn: Redis,
    private readonly onReadError: (error: Error) => void,
  ) {
    super({ conn });
  }

  override createRetainedStreamCombi(patterns: string[]): Readable {
    return Readable.from(super.createRetainedStreamCombi(patterns)).on('error', this.onReadError);
  }
}

/** A node's connections to Redis: the parts for Aedes, and how to close them after the broker. */
export interface ClusterNode {
  parts: AedesClusterParts;
  /** After the broker closed (which closes the emitter): closes the persistence's connection. */
  close(): Promise<void>;
}

/** A cluster node ID: it names this node in Redis (wills, the simulation lock) and in logs. */
export function parseNodeId(value: string, flag: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new InputError(flag, `"${value}" is not a node ID (1–64 letters, digits, ".", "_" or "-")`);
  }
  return value;
}

/**
 * Connects a node to the cluster's Redis at `url` (checked first: a wrong URL fails here, naming `flag`). Redis
 * trouble later (a dropped or refused connection; the clients reconnect by themselves) goes to `onRedisError`.
 */
export async function joinCluster(
  url: string,
  nodeId: string,
  flag: string,
  onRedisError: (error: Error) => void,
): Promise<ClusterNode> {
  await redisConnection(url, flag);
  // ioredis ≥ 5.8 may send its CLIENT SETINFO after a queued SUBSCRIBE, which Redis refuses on a subscriber
  // connection (redis/ioredis#2037): the emitter's subscriber connection goes without it.
  const subConn = new Redis(url, { disableClientInfo: true });
  const pubConn = new Redis(url, { enableAutoPipelining: true });
  const db = new Redis(url);
  db.on('error', onRedisError);
  const persistence = new AedesRedisPersistence(db, onRedisError);
  let mq: ReturnType<typeof mqemitterRedis> | undefined;
  const emitter = (concurrency: number) => {
    // The emitter's types name ioredis 5's Redis (its own copy); ours is the project's ioredis.
    const connections = { subConn, pubConn } as unknown as { subConn: undefined };
    mq = mqemitterRedis({ ...connections, concurrency, matchEmptyLevels: true });
    // The emitter re-emits its connections' errors on `state`, which without a listener throws them: a Redis
    // restart, or Redis closing a subscriber that fell behind, ended the node.
    (mq as unknown as { state: NodeJS.EventEmitter }).state.on('error', onRedisError);
    return mq;
  };
  return {
    parts: { id: nodeId, persistence, heartbeatInterval: HEARTBEAT_MS, emitter },
    close: async () => {
      // Aedes closes its emitter; one it never made (a failed start) still holds two connections.
      if (mq) await new Promise<void>((done) => mq?.close(() => done()));
      else for (const connection of [subConn, pubConn]) connection.disconnect();
      await persistence.destroy().catch(() => db.disconnect());
    },
  };
}

/** The Redis key naming the node that runs the simulation core. */
const SIM_LOCK_KEY = 'gridflex:cluster:sim';
/** How long the simulation lock outlives its holder's last renewal, in ms: a killed core node frees it then. */
export const SIM_LOCK_MS = 15_000;

/** Renews the lock's expiry if `nodeId` still holds it: 1 if so, else 0. */
const RENEW_IF_HELD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
/** Deletes the lock if `nodeId` still holds it. */
const RELEASE_IF_HELD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** What {@link SimLock.take} tells and asks while it waits. */
export interface SimLockOptions {
  /** The lock went to another node while this one held it. */
  onLost: (why: string) => void;
  /** Another node holds it: this node waits (called again when the holder changes). */
  onWaiting: (holder: string) => void;
  /** Checked between tries: a node stopped while it waits gives up. */
  stopRequested: () => boolean;
}

/**
 * The cluster's one simulation core: the node that runs it holds a Redis key with an expiry, renewed every third
 * of {@link SIM_LOCK_MS}. A node started with the simulation while another holds it waits as a broker and takes
 * over when the key goes: deleted when the holder stops, expired when it is killed.
 */
export class SimLock {
  private constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
    private readonly timer: NodeJS.Timeout,
  ) {}

  /** Takes the lock for `nodeId` once it is free; null if the node was asked to stop first. */
  static async take(url: string, nodeId: string, options: SimLockOptions): Promise<SimLock | null> {
    const redis = new Redis(url);
    redis.on('error', () => {}); // ioredis reconnects; a failed renewal reports itself below
    let holder: string | null = null;
    while ((await redis.set(SIM_LOCK_KEY, nodeId, 'PX', SIM_LOCK_MS, 'NX')) !== 'OK') {
      const current = await redis.get(SIM_LOCK_KEY);
      if (current !== null && current !== holder) options.onWaiting(current);
      holder = current;
      await new Promise((done) => setTimeout(done, SIM_LOCK_MS / 15));
      if (options.stopRequested()) {
        redis.disconnect();
        return null;
      }
    }
    const renew = () => {
      redis.eval(RENEW_IF_HELD, 1, SIM_LOCK_KEY, nodeId, SIM_LOCK_MS).then(
        (held) =>
          held === 0 &&
          options.onLost(
            'another node holds the simulation lock (it lapsed: Redis was unreachable or wiped)',
          ),
        (error: Error) => options.onLost(`cannot renew the simulation lock: ${error.message}`),
      );
    };
    return new SimLock(redis, nodeId, setInterval(renew, SIM_LOCK_MS / 3));
  }

  /** Frees the lock (if still ours) for the next node started with the simulation. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.eval(RELEASE_IF_HELD, 1, SIM_LOCK_KEY, this.nodeId).catch(() => {});
    this.redis.disconnect();
  }
}

/** Who sent a relayed message (as `Sender` in hub/live/link.ts). */
export interface RelayedSender {
  clientId: string;
  username: string | null;
  role: string;
}

/**
 * The topics whose sender the simulation core audits or checks (`subscribeWithSender` in hub/live/: controls and
 * co-simulation answers). Aedes tells who published a message only on the node the client is connected to.
 */
const SENDER_FILTERS = [gridflexFilters.controls, COSIM_PARTICIPANT_FILTER];

/** Where a broker-only node relays such a message with its sender; no client may publish or read `$` topics. */
const RELAY_ROOT = '$gridflex/sender';

/**
 * On a node without the simulation core: relays each message a client of this node publishes on
 * {@link SENDER_FILTERS}, once the broker accepted it, with who sent it, for the core on another node
 * ({@link subscribeRelayed}). Returns how to stop (when this node takes the core over).
 */
export function relaySenders(aedes: Aedes): () => void {
  const relay = (packet: AedesPublishPacket, client: Client | null) => {
    if (client === null || !SENDER_FILTERS.some((filter) => topicMatches(filter, packet.topic))) return;
    const principal = principalOfClient(client);
    const sender: RelayedSender = {
      clientId: client.id,
      username: principal?.username ?? null,
      role: principal?.role ?? 'unknown',
    };
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const body = JSON.stringify({ sender, payload: payload.toString('base64') });
    // Outside Aedes' own publish pipeline, as the core's local handlers are.
    setImmediate(() =>
      aedes.publish(
        {
          cmd: 'publish',
          topic: `${RELAY_ROOT}/${packet.topic}`,
          payload: Buffer.from(body),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => {},
      ),
    );
  };
  aedes.on('publish', relay);
  return () => aedes.off('publish', relay);
}

/** On the simulation core's node: messages on `filter` that clients of other nodes sent, with their sender. */
export function subscribeRelayed(
  aedes: Aedes,
  filter: string,
  handler: (topic: string, payload: Buffer, sender: RelayedSender) => void,
): Promise<void> {
  return new Promise((subscribed) =>
    aedes.subscribe(
      `${RELAY_ROOT}/${filter}`,
      (packet: AedesPublishPacket, done: () => void) => {
        const body = JSON.parse(packet.payload.toString()) as { sender: RelayedSender; payload: string };
        const topic = packet.topic.slice(RELAY_ROOT.length + 1);
        setImmediate(() => handler(topic, Buffer.from(body.payload, 'base64'), body.sender));
        done();
      },
      () => subscribed(),
    ),
  );
}

/** Where a node tells the others of an identity it held off; no client may publish or read `$` topics. */
const HOLD_OFF_TOPIC = '$gridflex/hold-off';

/**
 * Rate hold-offs shared by the nodes: an identity that went over its rate on one node is refused at CONNECT on
 * every node for as long (each node learns it through the emitter, so the CONNECT check stays local). Each node
 * still counts the rate itself. Durations, not end times, go over the wire: the nodes' clocks may differ.
 */
export class ClusterHoldOffs implements SharedHoldOffs {
  private readonly heldUntilMs = new Map<string, number>();
  private aedes: Aedes | undefined;

  constructor(private readonly nodeId: string) {}

  /** Once the node's broker runs: hears the other nodes' hold-offs, and may tell its own. */
  attach(aedes: Aedes): Promise<void> {
    this.aedes = aedes;
    return new Promise((subscribed) =>
      aedes.subscribe(
        HOLD_OFF_TOPIC,
        (packet: AedesPublishPacket, done: () => void) => {
          const told = JSON.parse(packet.payload.toString()) as {
            node: string;
            identity: string;
            holdOffMs: number;
          };
          if (told.node !== this.nodeId) this.heldUntilMs.set(told.identity, Date.now() + told.holdOffMs);
          done();
        },
        () => subscribed(),
      ),
    );
  }

  heldOffMs(identity: string, nowMs: number): number {
    const untilMs = this.heldUntilMs.get(identity);
    if (untilMs === undefined) return 0;
    if (untilMs <= nowMs) this.heldUntilMs.delete(identity);
    return Math.max(0, untilMs - nowMs);
  }

  heldOff(identity: string, holdOffMs: number): void {
    const payload = Buffer.from(JSON.stringify({ node: this.nodeId, identity, holdOffMs }));
    this.aedes?.publish(
      { cmd: 'publish', topic: HOLD_OFF_TOPIC, payload, qos: 0, retain: false, dup: false },
      () => {},
    );
  }
}
