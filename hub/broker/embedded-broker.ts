import { type FSWatcher, watch } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { basename, dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { CONTROL_ROOT, type SecurityEvent } from '../../protocol/gridflex.js';
import { mayPublish, maySubscribe } from '../auth/acl.js';
import type { CredentialStore } from '../auth/credentials.js';
import { ANONYMOUS, formatRole, type Role } from '../auth/roles.js';
import type { AedesClusterParts } from './cluster.js';
import { guardFrames } from './frame-guard.js';
import { payloadProblem } from './payload-check.js';
import {
  burstPace,
  DEFAULT_CONTROL_RATE,
  DEFAULT_HOLD_OFF,
  DEFAULT_PUBLISH_RATE,
  type HoldOff,
  IdentityPacer,
  IdentityRateLimits,
  OrderedDelays,
  type RateLimit,
  TokenBucket,
} from './rate-limiter.js';
import { RedTeamLogins } from './red-team-logins.js';
import { DEFAULT_RETAINED_QUOTA, RetainedLedger, type RetainedQuota } from './retained-quota.js';
import { batchWritesPerTurn } from './write-batch.js';

/** Options of {@link EmbeddedBroker.start}. */
export interface EmbeddedBrokerOptions {
  /** Interface to listen on. Default `0.0.0.0` (boards on the LAN connect); tests use `127.0.0.1`. */
  host?: string;
  /** MQTT over TCP port; 0 picks a free one. */
  mqttPort: number;
  /** MQTT over WebSocket port (for browsers); 0 picks a free one, null disables it. */
  wsPort: number | null;
  credentials: CredentialStore;
  /** Largest MQTT packet a client may send, in bytes. Default 64 KiB. */
  maxPacketBytes?: number;
  /**
   * Publish rate per identity (username), shared by all its connections and kept across reconnects. Default
   * {@link DEFAULT_PUBLISH_RATE}.
   */
  rateLimit?: RateLimit;
  /**
   * Control commands (`gridflex/control/v1/…`) per identity, on top of `rateLimit`: each one is work in the
   * hub's step queue and a line in its audit log. Default {@link DEFAULT_CONTROL_RATE}.
   */
  controlRateLimit?: RateLimit;
  /** How long an identity that went over its rate is refused at CONNECT. Default {@link DEFAULT_HOLD_OFF}. */
  holdOff?: HoldOff;
  /** What one identity may keep retained. Default {@link DEFAULT_RETAINED_QUOTA}. */
  retainedQuota?: RetainedQuota;
  /** New connections per remote address. Default 50/s with a burst of 1000 (a whole table powering up at once). */
  connectRateLimit?: RateLimit;
  /**
   * The role of a dashboard session when `password` is `username`'s session token (a page that holds a login
   * connects with it instead of the password), else null. Checked before the password.
   */
  sessionRole?: (username: string, password: string) => Role | null;
  /** Called for every refusal, denial and rejected payload; never throws back into the broker. */
  onSecurityEvent?: (event: SecurityEvent) => void;
  /** One node of a broker on several nodes, through Redis (hub/broker/cluster.ts). Default: a lone broker. */
  cluster?: AedesClusterParts;
  /** Hold-offs shared with other nodes of a cluster: an offender is refused on every node. Default: none. */
  sharedHoldOffs?: SharedHoldOffs;
  /**
   * The hub–dashboard link on each WebSocket (dashboard) connection (hub/live/link-shaper.ts). Default: none.
   * `connect` shapes a new connection's stream before anything is written to it and answers whether each
   * publish forwarded to it gets through.
   */
  webSocketLinks?: { connect(stream: Duplex): (packet: { retain: boolean }) => boolean };
}

/** Hold-offs that other brokers (nodes of a cluster) tell this one of, and that this one tells them. */
export interface SharedHoldOffs {
  /** Milliseconds another node still holds `identity` off (0: none). */
  heldOffMs(identity: string, nowMs: number): number;
  /** This node held `identity` off for `holdOffMs`. */
  heldOff(identity: string, holdOffMs: number): void;
}

const AUTH_CODE = { identifierRejected: 2, serverUnavailable: 3, badCredentials: 4 } as const;

interface Session {
  role: Role;
  username: string | undefined;
  /** The dashboard session token the client logged in with instead of a password, if it did. */
  sessionToken: string | undefined;
  /** The stored hash of the secret it logged in with, if by password: a login given a new key is revoked. */
  secretHash: string | undefined;
  /** Set when its login was revoked: the connection is closing, and nothing more it sends gets through. */
  revoked: boolean;
  /** ACL answers by topic: a board publishes to the same few topics over and over. */
  publishAllowed: Map<string, boolean>;
  /** Its publishes held back by the burst pace, in order. */
  paced: OrderedDelays;
}

/** Who each connected client logged in as, for the hub's audit of control messages (any broker instance). */
const clientPrincipals = new WeakMap<Client, { username: string | null; role: string }>();

/** The username and role a client of an embedded broker logged in with (null username: anonymous). */
export function principalOfClient(client: Client): { username: string | null; role: string } | undefined {
  return clientPrincipals.get(client);
}

/**
 * Turns off Aedes's per-client "dedupe". It is meant for overlapping subscriptions (`a/#` and `a/b`): a client
 * gets no message whose broker counter is not above the highest it was sent. But Aedes's publish path is
 * asynchronous and a QoS 1 message takes one step more than a QoS 0 one, so a board's QoS 1 `$state` published
 * while the hub publishes its QoS 0 world is overtaken and then silently dropped for every live subscriber
 * (moscajs/aedes#994, #955): a dashboard never learnt that a board became ready. Without it, a client with
 * overlapping subscriptions may get one copy per matching filter, which MQTT 3.1.1 (3.3.5) allows.
 */
function deliverEveryMessage(client: Client): void {
  const internals = client as unknown as { duplicates?: object };
  if (internals.duplicates !== undefined) internals.duplicates = NEVER_A_DUPLICATE;
}

/** Reads as "nothing sent yet" for every broker, and forgets every write: Aedes's dedupe then passes all. */
const NEVER_A_DUPLICATE: object = new Proxy(Object.create(null), {
  get: () => undefined,
  set: () => true,
});

/**
 * What MQTT 3.1.1 forbids in a CONNECT that the packet parser lets through, or null: a will QoS of 3
 * (3.1.2-14, a malformed packet) and an empty client ID asking for a kept session (3.1.3-8, refused with
 * "Identifier rejected").
 */
function connectProblem(packet: ConnectPacket): { reason: string; identifierRejected: boolean } | null {
  if (packet.will && (packet.will.qos as number) > 2) {
    return { reason: `will QoS ${packet.will.qos} (MQTT allows 0, 1 or 2)`, identifierRejected: false };
  }
  if (packet.clientId === '' && packet.clean === false) {
    return { reason: 'empty client ID with clean session 0', identifierRejected: true };
  }
  return null;
}

/** Topics remembered per session before the ACL cache starts again (a bound against topic floods). */
const ACL_CACHE_TOPICS = 256;

/**
 * The hub's own MQTT broker: Aedes over TCP and WebSocket with authentication against the credential
 * store, the role ACLs, one connection per client ID, a packet size limit, a per-client rate limit and
 * payload validation. Every refusal is logged through `onSecurityEvent`; a misbehaving client is
 * disconnected (MQTT 3.1.1 has no way to refuse a single publish) and other clients carry on.
 */
export class EmbeddedBroker {
  private readonly sessions = new WeakMap<Client, Session>();
  /** Client IDs in use, claimed at authentication so two connections can never share one. */
  private readonly claimedIds = new Map<string, Client>();

  private constructor(
    readonly aedes: Aedes,
    private readonly tcpServer: Server,
    private readonly wsServer: { http: HttpServer; ws: WebSocketServer } | null,
    readonly mqttPort: number,
    readonly wsPort: number | null,
    /** Why a connected session's login no longer holds, or null while it does. */
    private readonly revocation: (session: Session & { username: string }) => string | null,
    private readonly report: (event: Omit<SecurityEvent, 'at'>) => void,
  ) {}

  private credentialsWatcher: FSWatcher | null = null;
  /** The live red team's own board logins (hub/broker/red-team-logins.ts). */
  readonly redTeam = new RedTeamLogins();

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const host = options.host ?? '0.0.0.0';
    const maxPacketBytes = options.maxPacketBytes ?? 64 * 1024;
    const rateLimit = options.rateLimit ?? DEFAULT_PUBLISH_RATE;
    const holdOff = options.holdOff ?? DEFAULT_HOLD_OFF;
    const publishLimits = new IdentityRateLimits(rateLimit, holdOff);
    const pacer = new IdentityPacer(burstPace(rateLimit));
    const controlLimits = new IdentityRateLimits(options.controlRateLimit ?? DEFAULT_CONTROL_RATE, holdOff);
    const retained = new RetainedLedger(options.retainedQuota ?? DEFAULT_RETAINED_QUOTA);
    /** When each identity's last over-quota refusal was logged: one line a minute, however often it tries. */
    const quotaReportedAtMs = new Map<string, number>();
    const connectRateLimit = options.connectRateLimit ?? { perSecond: 50, burst: 1000 };
    /** Connection buckets by remote address (forgotten when full, so spoofed variety cannot grow it without bound). */
    const connectBuckets = new Map<string, TokenBucket>();
    /** Clients whose CONNECT had an empty client ID with clean session 0, refused once authenticated. */
    const emptyPersistentIds = new WeakSet<Client>();
    /** The peer IP of each connection's stream (a WebSocket stream does not carry one itself). */
    const peerAddresses = new WeakMap<Duplex, string>();
    /** Whether a publish gets through each shaped connection's link. */
    const forwardChecks = new WeakMap<Client, (packet: { retain: boolean }) => boolean>();
    const report = (event: Omit<SecurityEvent, 'at'>) => {
      broker?.redTeam.refused(event);
      try {
        options.onSecurityEvent?.({ ...event, at: new Date().toISOString() });
      } catch {
        // A failing logger must not take the broker down.
      }
    };

    let broker: EmbeddedBroker | undefined;
    // Deliveries in flight at once; the default 100 throttles one busy subscriber (drainTimeout guards slow ones).
    const concurrency = 1000;
    const cluster = options.cluster;
    const aedes = await Aedes.createBroker({
      ...(cluster && {
        id: cluster.id,
        mq: cluster.emitter(concurrency),
        persistence: cluster.persistence,
        heartbeatInterval: cluster.heartbeatInterval,
      }),
      // Clients with retained Homie trees send many packets right after CONNECT.
      queueLimit: 1000,
      concurrency,
      maxClientsIdLength: 64,
      drainTimeout: 10_000,
      preConnect: (client, packet, callback) => {
        const problem = connectProblem(packet);
        if (problem === null) return callback(null, true);
        report({ kind: 'refused-connection', clientId: packet.clientId, reason: problem.reason });
        if (problem.identifierRejected) emptyPersistentIds.add(client);
        // A malformed CONNECT is closed without a CONNACK (MQTT 3.1.4-1); the identifier case answers first.
        callback(problem.identifierRejected ? null : new Error(problem.reason), problem.identifierRejected);
      },
      authenticate: (client, username, password, done) => {
        const refuse = (code: number, kind: SecurityEvent['kind'], reason: string) => {
          report({ kind, clientId: client.id, ...(username ? { username } : {}), reason });
          const error = new Error(reason) as AuthenticateError;
          error.returnCode = code;
          done(error, false);
        };
        const claim = (role: Role, sessionToken?: string, secretHash?: string) => {
          // An anonymous client may send an empty username: it is nobody, not a user named "".
          const identity = username || undefined;
          // A registered user's name is its client ID (boards connect as <id>/<id>): nobody else may take it,
          // or an anonymous client could squat a board's ID while the board is offline and lock it out.
          if (emptyPersistentIds.has(client)) {
            refuse(
              AUTH_CODE.identifierRejected,
              'refused-connection',
              'an empty client ID needs clean session 1 (MQTT 3.1.3-8): a session kept for nobody cannot be resumed',
            );
            return;
          }
          // The operator's rogue device run without the identity check may take its victim board's ID.
          const takesOver =
            identity !== undefined && (broker?.redTeam.mayTakeClientId(identity, client.id) ?? false);
          if (client.id !== username && options.credentials.has(client.id) && !takesOver) {
            refuse(
              AUTH_CODE.identifierRejected,
              'refused-connection',
              `client ID "${client.id}" is reserved for that user`,
            );
            return;
          }
          const holder = broker?.claimedIds.get(client.id);
          // The same identity reconnecting (a rebooted board whose old TCP session is still half-open) takes
          // the ID over at once, as MQTT 3.1.4-2 asks (Aedes closes the old connection); anyone else is refused.
          const sameIdentity =
            identity !== undefined &&
            holder !== undefined &&
            broker?.sessions.get(holder)?.username === identity;
          if (holder && holder !== client && !holder.closed && !sameIdentity && !takesOver) {
            refuse(
              AUTH_CODE.identifierRejected,
              'duplicate-client-id',
              'client ID already connected by another identity (or anonymously, two boards with one ID); the first connection keeps it',
            );
            return;
          }
          deliverEveryMessage(client);
          broker?.claim(client, {
            role,
            username: identity,
            sessionToken,
            secretHash,
            revoked: false,
            publishAllowed: new Map(),
            paced: new OrderedDelays(),
          });
          done(null, true);
        };
        // A held-off identity reconnecting in a tight loop is turned away first: no password work, and it
        // spends nothing of its address's connection budget, which boards beside it (one host, one NAT) share.
        // A red-team login the operator lifted the limit for is not held off for its earlier offences either.
        const heldOffMs =
          username && !broker?.redTeam.unlimited(username)
            ? Math.max(
                publishLimits.heldOffMs(username, Date.now()),
                controlLimits.heldOffMs(username, Date.now()),
                options.sharedHoldOffs?.heldOffMs(username, Date.now()) ?? 0,
              )
            : 0;
        if (heldOffMs > 0) {
          refuse(
            AUTH_CODE.serverUnavailable,
            'rate-limited',
            `held off for another ${Math.ceil(heldOffMs / 1000)} s after going over its rate`,
          );
          return;
        }
        // Before any password work: a client reconnecting in a tight loop is turned away here, cheaply.
        const address = peerAddresses.get(client.conn) ?? 'unknown';
        let bucket = connectBuckets.get(address);
        if (!bucket) {
          if (connectBuckets.size >= 10_000) connectBuckets.clear();
          bucket = new TokenBucket(connectRateLimit, Date.now());
          connectBuckets.set(address, bucket);
        }
        if (!bucket.take(Date.now())) {
          refuse(
            AUTH_CODE.serverUnavailable,
            'rate-limited',
            `${address}: over ${connectRateLimit.perSecond} connections/s (burst ${connectRateLimit.burst})`,
          );
          return;
        }
        if (username === undefined || username === '') {
          if (password !== undefined && password.length > 0) {
            refuse(AUTH_CODE.badCredentials, 'refused-connection', 'password without a username');
            return;
          }
          claim(ANONYMOUS);
          return;
        }
        const token = password !== undefined && password.length > 0 ? password.toString('utf8') : undefined;
        // A board with a login of its own keeps its name: a red-team login never stands in for it.
        const redTeamRole = options.credentials.has(username)
          ? undefined
          : broker?.redTeam.role(username, token);
        if (redTeamRole === null) {
          refuse(AUTH_CODE.badCredentials, 'refused-connection', 'bad username or password');
          return;
        }
        if (redTeamRole) {
          claim(redTeamRole);
          return;
        }
        const sessionRole = token === undefined ? null : options.sessionRole?.(username, token);
        if (sessionRole) {
          claim(sessionRole, token);
          return;
        }
        const login = async () => {
          // Boards added, re-keyed or removed with `gridflex device` while the hub runs count from their next
          // connection: the file is read again whenever it changed (one stat per connection otherwise).
          options.credentials.reloadIfChanged();
          // Under the login back-off per account and per address (hub/auth/login-guard.ts).
          return options.credentials.login(username, password ?? Buffer.alloc(0), address);
        };
        login().then(
          (answer) => {
            const principal = answer.outcome === 'accepted' ? answer.principal : null;
            if (answer.outcome === 'held') {
              const waitS = Math.ceil(answer.waitMs / 1000);
              refuse(AUTH_CODE.serverUnavailable, 'rate-limited', `too many failed logins: wait ${waitS} s`);
            } else if (!principal)
              refuse(AUTH_CODE.badCredentials, 'refused-connection', 'bad username or password');
            else if (principal.role.role === 'hub') {
              refuse(
                AUTH_CODE.badCredentials,
                'refused-connection',
                'the hub role is for external brokers only',
              );
            } else claim(principal.role, undefined, principal.mosquittoHash);
          },
          () => refuse(AUTH_CODE.badCredentials, 'refused-connection', 'credential check failed'),
        );
      },
      authorizePublish: (client, packet, callback) => {
        if (client === null) return callback(null); // wills of clients gone before a restart, checked when set
        const session = broker?.sessions.get(client);
        const deny = (kind: SecurityEvent['kind'], reason: string) => {
          report({
            kind,
            clientId: client.id,
            ...(session?.username ? { username: session.username } : {}),
            topic: packet.topic,
            reason,
          });
          callback(new Error(reason));
        };
        if (!session) return deny('denied-publish', 'no session');
        if (session.revoked) return callback(new Error('login revoked'));
        let allowed = session.publishAllowed.get(packet.topic);
        if (allowed === undefined) {
          allowed =
            mayPublish(session.role === ANONYMOUS ? null : session.role, packet.topic) ||
            (broker?.redTeam.mayPublishAnyway(session.username, packet.topic) ?? false);
          if (session.publishAllowed.size >= ACL_CACHE_TOPICS) session.publishAllowed.clear();
          session.publishAllowed.set(packet.topic, allowed);
        }
        if (!allowed) {
          return deny('denied-publish', `${formatRole(session.role)} may not publish here`);
        }
        // Anonymous clients never get here: they may not publish anything.
        const identity = session.username ?? client.id;
        /** Whether `identity` is over `limits`; if so the publish is refused (and the offence reported once). */
        const overRate = (limits: IdentityRateLimits, what: string): boolean => {
          const nowMs = Date.now();
          if (limits.take(identity, nowMs)) return false;
          // Already held off: this connection is on its way out, and the offence was reported once.
          if (limits.heldOffMs(identity, nowMs) > 0) callback(new Error('rate limited'));
          else {
            const holdOffMs = limits.offend(identity, nowMs);
            options.sharedHoldOffs?.heldOff(identity, holdOffMs);
            deny(
              'rate-limited',
              `over ${limits.limit.perSecond} ${what}/s (burst ${limits.limit.burst}) for this identity over all its connections: disconnected, held off for ${holdOffMs / 1000} s`,
            );
          }
          return true;
        };
        const unlimited = broker?.redTeam.unlimited(identity) ?? false;
        if (!unlimited && overRate(publishLimits, 'messages')) return;
        if (packet.topic.startsWith(`${CONTROL_ROOT}/`) && overRate(controlLimits, 'control commands'))
          return;
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        const problem = payloadProblem(packet.topic, payload);
        if (problem) return deny('rejected-payload', problem);
        /** The retained quota, last: counted when the publish goes through. */
        const finish = () => {
          const overQuota = packet.retain ? retained.retain(identity, packet.topic, payload.length) : null;
          if (!overQuota) {
            broker?.redTeam.accepted(identity, packet.topic);
            return callback(null);
          }
          const nowMs = Date.now();
          if (nowMs - (quotaReportedAtMs.get(identity) ?? Number.NEGATIVE_INFINITY) < 60_000) {
            return callback(new Error(overQuota));
          }
          quotaReportedAtMs.set(identity, nowMs);
          deny('denied-publish', overQuota);
        };
        // Within its rate, but a burst is spent at a pace: held back, the sender is held at its socket.
        // What waited goes out even if its client has gone since (a board's last readings before DISCONNECT,
        // then its will, in order), unless its login was revoked meanwhile.
        const nowMs = Date.now();
        session.paced.add(nowMs + (unlimited ? 0 : pacer.delayMs(identity, nowMs)), () =>
          session.revoked ? callback(new Error('login revoked')) : finish(),
        );
      },
      authorizeForward: (client, packet) => (forwardChecks.get(client)?.(packet) === false ? null : packet),
      authorizeSubscribe: (client, subscription, callback) => {
        const session = broker?.sessions.get(client);
        const role = session && session.role !== ANONYMOUS ? session.role : null;
        if (maySubscribe(role, subscription.topic)) return callback(null, subscription);
        report({
          kind: 'denied-subscribe',
          clientId: client.id,
          ...(session?.username ? { username: session.username } : {}),
          topic: subscription.topic,
          reason: `${role ? formatRole(role) : 'anonymous'} may not subscribe here`,
        });
        callback(null, null);
      },
    });

    const accept = (
      stream: Duplex,
      address: string,
      remote: string,
      forwardCheck?: (packet: { retain: boolean }) => boolean,
    ) => {
      peerAddresses.set(stream, address);
      guardFrames(stream, maxPacketBytes, (announcedBytes) => {
        report({
          kind: 'oversized-payload',
          clientId: remote,
          reason: `packet of ${announcedBytes} bytes over the ${maxPacketBytes}-byte limit`,
        });
        stream.destroy();
      });
      const client = aedes.handle(stream);
      if (forwardCheck) forwardChecks.set(client, forwardCheck);
    };
    // No Nagle delay: a lockstep step is small messages both ways, and Nagle with delayed ACKs held each
    // step ~40 ms (bench/cosim-lockstep.js: 20 steps/s with it).
    const tcpServer = createServer({ noDelay: true }, (socket) =>
      accept(socket, socket.remoteAddress ?? 'unknown', `${socket.remoteAddress}:${socket.remotePort}`),
    );
    const closeAedes = () => new Promise<void>((resolve) => aedes.close(() => resolve()));
    const mqttPort = await listen(tcpServer, options.mqttPort, host).catch(async (error) => {
      // Nothing may keep the process alive after a failed start (Aedes runs a heartbeat timer).
      await closeAedes();
      throw new ListenError('mqtt', host, options.mqttPort, error);
    });

    let wsServer: { http: HttpServer; ws: WebSocketServer } | null = null;
    let wsPort: number | null = null;
    if (options.wsPort !== null) {
      const http = createHttpServer((_request, response) => {
        response
          .writeHead(426, { 'content-type': 'text/plain' })
          .end('MQTT over WebSocket: connect with ws://\n');
      });
      // Listening before the WebSocket server is attached: it re-emits the HTTP server's errors as its own
      // 'error' event, which (with no listener) ended the process with a stack trace on a busy port.
      const requestedWsPort = options.wsPort;
      wsPort = await listen(http, requestedWsPort, host).catch(async (error) => {
        await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
        await closeAedes();
        throw new ListenError('ws', host, requestedWsPort, error);
      });
      const ws = new WebSocketServer({ server: http, maxPayload: maxPacketBytes + 16 });
      ws.on('error', (error) =>
        report({ kind: 'refused-connection', clientId: 'websocket', reason: error.message }),
      );
      ws.on('connection', (socket, request) => {
        const stream = createWebSocketStream(socket);
        stream.on('error', () => stream.destroy());
        const address = request.socket.remoteAddress ?? 'unknown';
        const forwardCheck = options.webSocketLinks?.connect(stream);
        // Each piece mqtt-packet writes would be a frame of its own (write-batch.ts); over a shaped link, one
        // turn's packets go through it as one write.
        batchWritesPerTurn(stream);
        accept(stream, address, `ws:${address}:${request.socket.remotePort}`, forwardCheck);
      });
      wsServer = { http, ws };
    }

    const revocation = (session: Session & { username: string }): string | null => {
      if (session.sessionToken !== undefined) {
        const role = options.sessionRole?.(session.username, session.sessionToken);
        return role && formatRole(role) === formatRole(session.role)
          ? null
          : 'dashboard session ended (logout, or its user removed or given another role)';
      }
      const principal = options.credentials.get(session.username);
      if (!principal) return 'user removed';
      const role = formatRole(principal.role);
      if (role !== formatRole(session.role)) return `role changed to ${role}`;
      // `gridflex device add --force` (or `user add` again) replaced the secret: the old key stops at once.
      return principal.mosquittoHash === session.secretHash ? null : 'its key was replaced';
    };
    broker = new EmbeddedBroker(aedes, tcpServer, wsServer, mqttPort, wsPort, revocation, report);
    broker.credentialsWatcher = watchCredentials(options.credentials, () => broker?.closeRevoked());
    aedes.on('clientDisconnect', (client) => broker?.release(client));
    aedes.on('clientError', (client) => broker?.release(client));
    aedes.on('connectionError', (client) => broker?.release(client));
    return broker;
  }

  private claim(client: Client, session: Session): void {
    this.sessions.set(client, session);
    clientPrincipals.set(client, {
      username: session.username ?? null,
      role: session.role === ANONYMOUS ? 'anonymous' : formatRole(session.role),
    });
    this.claimedIds.set(client.id, client);
    client.conn.once('close', () => this.release(client));
  }

  /**
   * Closes every connection whose login no longer holds: its user removed or given another role, or its
   * dashboard session ended. The hub calls it when a dashboard session ends; a change to the credentials
   * file (`gridflex device remove`, `gridflex user …` in another process) calls it through a file watch.
   */
  closeRevoked(): void {
    for (const client of this.claimedIds.values()) {
      const session = this.sessions.get(client);
      if (session?.username === undefined || session.revoked) continue;
      const reason = this.revocation({ ...session, username: session.username });
      if (reason === null) continue;
      session.revoked = true;
      this.report({
        kind: 'refused-connection',
        clientId: client.id,
        username: session.username,
        reason: `${reason}: connection closed`,
      });
      client.close();
    }
  }

  private release(client: Client): void {
    if (this.claimedIds.get(client.id) === client) this.claimedIds.delete(client.id);
  }

  /** Stops accepting, disconnects every client and closes the broker. */
  async close(): Promise<void> {
    this.credentialsWatcher?.close();
    for (const socket of this.wsServer?.ws.clients ?? []) socket.terminate();
    await Promise.all([
      new Promise<void>((resolve) => this.tcpServer.close(() => resolve())),
      this.wsServer
        ? new Promise<void>((resolve) => this.wsServer?.http.close(() => resolve()))
        : Promise.resolve(),
      new Promise<void>((resolve) => this.aedes.close(() => resolve())),
    ]);
  }
}

/**
 * Calls `onChange` after the credential file was replaced (the store writes a temp file and renames it, so the
 * folder is watched, not the file), once the store has read it again. Null when the folder cannot be watched.
 */
function watchCredentials(credentials: CredentialStore, onChange: () => void): FSWatcher | null {
  const name = basename(credentials.file);
  try {
    const watcher = watch(dirname(credentials.file), (_event, changed) => {
      if (changed !== name) return;
      credentials.reloadIfChanged();
      onChange();
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}

/** A broker port that could not be opened (most often: in use by another hub or a Mosquitto service). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code: string | undefined;
  constructor(
    readonly which: 'mqtt' | 'ws',
    readonly host: string,
    readonly port: number,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${which === 'mqtt' ? 'MQTT' : 'WebSocket'} port: ${listenProblem(host, port, cause)}`);
    this.code = cause.code;
  }
}

/** A failed `listen` in words a user can act on: which address, and what to do about it. */
export function listenProblem(host: string, port: number, error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') {
    return `${host}:${port} is already in use (another hub, or a broker or web server on this machine); stop it or choose another port (0 picks a free one)`;
  }
  if (error.code === 'EACCES') {
    return `no permission to listen on ${host}:${port} (ports below 1024 need privileges); choose a port above 1023`;
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return `${host} is not an address of this machine; use 0.0.0.0 (every interface) or 127.0.0.1`;
  }
  return `cannot listen on ${host}:${port}: ${error.message}`;
}

function listen(server: Server | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
