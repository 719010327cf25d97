/**
 * mosaik's remote simulator protocol (the "low-level API" of mosaik 3, docs/cosim.md): TCP, each message a
 * 4-byte unsigned big-endian payload length then UTF-8 JSON `[type, id, content]`; type 0 is a request
 * (content `[method, args, kwargs]`), 1 a successful reply, 2 a failed one (content: the error text). Calls:
 * `init(sid, time_resolution=…, **sim_params) → meta`, `create(num, model, **params) → entities`,
 * `setup_done() → null`, `step(time, inputs, max_advance) → next time or null`, `get_data(outputs) → data`,
 * `stop()` (no reply).
 *
 * Both directions: {@link MosaikSimulatorClient} drives a mosaik-API simulator as mosaik would (so it joins a
 * GridFlex lockstep run as a participant, see {@link MosaikParticipant}), and {@link serveStreetToMosaik}
 * offers GridFlex's Street (the hub/engine core) to a mosaik scenario as a simulator.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { z } from 'zod';

/** Largest payload accepted (a mosaik step's inputs for a big street stay far below). */
export const MAX_MOSAIK_PAYLOAD_BYTES = 16 * 1024 * 1024;

export const MOSAIK_REQUEST = 0;
export const MOSAIK_SUCCESS = 1;
export const MOSAIK_ERROR = 2;

const MessageSchema = z.tuple([
  z.union([z.literal(0), z.literal(1), z.literal(2)]),
  z.number().int(),
  z.unknown(),
]);
const RequestContentSchema = z.tuple([
  z.string().min(1),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

export type MosaikMessage = [0 | 1 | 2, number, unknown];

/** One message on the wire: the 4-byte big-endian length of the payload, then the UTF-8 JSON payload. */
export function encodeMosaikFrame(message: MosaikMessage): Buffer {
  const payload = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Splits a TCP byte stream into mosaik messages; throws on a frame that is not `[type, id, content]`. */
export class MosaikFrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns every complete message they finish. */
  push(chunk: Buffer): MosaikMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: MosaikMessage[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (length > MAX_MOSAIK_PAYLOAD_BYTES) {
        throw new Error(`mosaik frame of ${length} bytes is over the ${MAX_MOSAIK_PAYLOAD_BYTES}-byte limit`);
      }
      if (this.buffer.length < 4 + length) break;
      const text = this.buffer.subarray(4, 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(4 + length);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`mosaik frame is not JSON: ${text.slice(0, 80)}`);
      }
      const parsed = MessageSchema.safeParse(value);
      if (!parsed.success) throw new Error(`mosaik frame is not [type, id, content]: ${text.slice(0, 80)}`);
      messages.push(parsed.data as MosaikMessage);
    }
    return messages;
  }
}

/** A mosaik request as a function call. */
export interface MosaikCall {
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** Parses a request's content `[method, args, kwargs]`. */
export function parseMosaikCall(content: unknown): MosaikCall {
  const parsed = RequestContentSchema.safeParse(content);
  if (!parsed.success) throw new Error('a mosaik request is [method, [args…], {kwargs…}]');
  const [method, args, kwargs] = parsed.data;
  return { method, args, kwargs };
}

/**
 * mosaik's side of one connection to a simulator: numbered requests, replies matched by ID. Use
 * {@link MosaikSimulatorClient.connect} for a simulator that listens (mosaik's `connect` mode).
 */
export class MosaikSimulatorClient {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly reader = new MosaikFrameReader();
  private closedError: Error | null = null;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let messages: MosaikMessage[];
      try {
        messages = this.reader.push(chunk);
      } catch (error) {
        this.fail(error as Error);
        socket.destroy();
        return;
      }
      for (const [type, id, content] of messages) {
        const waiter = this.waiting.get(id);
        if (!waiter || type === MOSAIK_REQUEST) continue; // asynchronous requests are not offered
        this.waiting.delete(id);
        if (type === MOSAIK_SUCCESS) waiter.resolve(content);
        else waiter.reject(new Error(`simulator error: ${String(content)}`));
      }
    });
    socket.on('close', () => this.fail(new Error('the simulator closed the connection')));
    socket.on('error', (error) => this.fail(error));
  }

  static connect(host: string, port: number): Promise<MosaikSimulatorClient> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new MosaikSimulatorClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends `[0, id, [method, args, kwargs]]` and resolves with the reply's content. */
  call(method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.socket.write(encodeMosaikFrame([MOSAIK_REQUEST, id, [method, args, kwargs]]));
    });
  }

  /** `stop()` needs no reply: send it and close. */
  async stop(): Promise<void> {
    if (!this.closedError)
      this.socket.write(encodeMosaikFrame([MOSAIK_REQUEST, this.nextId++, ['stop', [], {}]]));
    this.closedError ??= new Error('stopped');
    await new Promise<void>((resolve) => this.socket.end(() => resolve()));
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/** What a simulator answers (the API calls); a thrown error becomes a type-2 reply with its message. */
export interface MosaikSimulatorHandler {
  init(sid: string, kwargs: Record<string, unknown>): unknown | Promise<unknown>;
  create(num: number, model: string, params: Record<string, unknown>): unknown | Promise<unknown>;
  setupDone(): unknown | Promise<unknown>;
  step(time: number, inputs: Record<string, unknown>, maxAdvance: number | null): unknown | Promise<unknown>;
  getData(outputs: Record<string, string[]>): unknown | Promise<unknown>;
  stop(): void | Promise<void>;
}

/** Serves one mosaik connection (mosaik's side sends the requests) with `handler`; resolves when it closes. */
export function serveMosaikConnection(
  socket: Socket,
  handler: MosaikSimulatorHandler,
  log: (message: string) => void,
): Promise<void> {
  socket.setNoDelay(true);
  const reader = new MosaikFrameReader();
  let queue: Promise<void> = Promise.resolve();
  const reply = (type: 1 | 2, id: number, content: unknown) => {
    if (!socket.destroyed) socket.write(encodeMosaikFrame([type, id, content]));
  };
  const handle = async (id: number, content: unknown): Promise<void> => {
    let call: MosaikCall;
    try {
      call = parseMosaikCall(content);
    } catch (error) {
      reply(MOSAIK_ERROR, id, (error as Error).message);
      return;
    }
    try {
      const { method, args, kwargs } = call;
      switch (method) {
        case 'init': {
          const sid = z.string().min(1).parse(args[0]);
          return reply(MOSAIK_SUCCESS, id, await handler.init(sid, kwargs));
        }
        case 'create': {
          const num = z.number().int().min(1).max(10_000).parse(args[0]);
          const model = z.string().min(1).parse(args[1]);
          return reply(MOSAIK_SUCCESS, id, await handler.create(num, model, kwargs));
        }
        case 'setup_done':
          return reply(MOSAIK_SUCCESS, id, (await handler.setupDone()) ?? null);
        case 'step': {
          const time = z.number().int().nonnegative().parse(args[0]);
          const inputs = z.record(z.string(), z.unknown()).parse(args[1] ?? {});
          const maxAdvance = z.number().nullable().optional().parse(args[2]) ?? null;
          return reply(MOSAIK_SUCCESS, id, await handler.step(time, inputs, maxAdvance));
        }
        case 'get_data': {
          const outputs = z.record(z.string(), z.array(z.string())).parse(args[0]);
          return reply(MOSAIK_SUCCESS, id, await handler.getData(outputs));
        }
        case 'stop':
          await handler.stop();
          socket.end();
          return;
        default:
          return reply(MOSAIK_ERROR, id, `unknown method "${method}"`);
      }
    } catch (error) {
      const text =
        error instanceof z.ZodError
          ? `bad arguments to ${call.method}: ${error.issues[0]?.message}`
          : (error as Error).message;
      log(`mosaik: ${call.method}: ${text}`);
      reply(MOSAIK_ERROR, id, text);
    }
  };
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      let messages: MosaikMessage[];
      try {
        messages = reader.push(chunk);
      } catch (error) {
        log(`mosaik: ${(error as Error).message}; closing the connection`);
        socket.destroy();
        return;
      }
      for (const [type, id, content] of messages) {
        if (type !== MOSAIK_REQUEST) continue;
        // One request at a time, in order, as mosaik expects.
        queue = queue.then(() => handle(id, content));
      }
    });
    socket.on('error', (error) => log(`mosaik: connection: ${error.message}`));
    socket.on('close', () => resolve());
  });
}

/** Listens for mosaik on `host:port` (mosaik's `connect` mode) and serves each connection with a new handler. */
export function listenForMosaik(
  host: string,
  port: number,
  createHandler: () => MosaikSimulatorHandler,
  log: (message: string) => void,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void serveMosaikConnection(socket, createHandler(), log);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
