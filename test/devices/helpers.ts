/**
 * Test rig for the device agent: a real Aedes broker on a random loopback port (restartable on the same
 * port), an MQTT observer that records every message, and the real `node dist/devices/cli.js` process.
 * Everything waits on events, never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { stringify } from 'yaml';

export class TestBroker {
  /** Every publish on `homie/…` the broker handled (from clients and last wills), across restarts. */
  readonly published: Received[] = [];
  private waiters: { match: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  private aedes: Aedes | undefined;
  private server: ReturnType<typeof createServer> | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  /** Starts on `port`, or on a free one the first time. */
  async start(port = this.port): Promise<void> {
    const aedes = await Aedes.createBroker();
    aedes.on('publish', (packet) => {
      if (!packet.topic.startsWith('homie/')) return;
      this.record({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain });
    });
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.aedes = aedes;
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private record(message: Received): void {
    this.published.push(message);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(message)) return true;
      waiter.resolve(message);
      return false;
    });
  }

  /** The next publish on `topic` (whose payload matches) from now on. */
  next(topic: string, payload?: string | ((payload: string) => boolean)): Promise<Received> {
    const match = (m: Received) =>
      m.topic === topic &&
      (payload === undefined || (typeof payload === 'string' ? m.payload === payload : payload(m.payload)));
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Publishes recorded so far on `topic`. */
  on(topic: string): Received[] {
    return this.published.filter((m) => m.topic === topic);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Stops abruptly, as a crashed or rebooted broker would: connections drop, retained state is lost. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.aedes?.close(() => resolve()) ?? resolve());
    this.server = undefined;
    this.aedes = undefined;
  }
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** The real device agent CLI in a child process, with its stderr lines recorded. */
export class AgentProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    let buffer = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        this.onLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  static spawn(args: string[]): AgentProcess {
    return new AgentProcess(
      spawn(process.execPath, ['dist/devices/cli.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }

  private onLine(line: string): void {
    this.lines.push(line);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.pattern.test(line)) return true;
      waiter.resolve(line);
      return false;
    });
  }

  /** The next stderr line matching `pattern`, or an earlier one from line index `from` on. */
  waitForLine(pattern: RegExp, from = 0): Promise<string> {
    const past = this.lines.slice(from).find((line) => pattern.test(line));
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Writes a device config YAML to a fresh temp dir and returns its path. */
export function writeConfig(config: Record<string, unknown>, name = 'board.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridflex-device-'));
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

/** A small sim board: PV, EV pad and battery, fast telemetry. */
export function simBoardConfig(
  brokerUrl: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    deviceId: 'house-3',
    broker: { url: brokerUrl, username: 'house-3', password: 'secret' },
    telemetryIntervalMs: 100,
    reconnect: { initialMs: 50, maxMs: 200 },
    nodes: [
      { kind: 'pv', sensor: { type: 'analog', pin: 'A0' }, peakKw: 4 },
      {
        kind: 'ev-pad',
        id: 'ev-pad-7',
        padId: 'pad-7',
        plot: 'plot-7',
        reader: { type: 'serial' },
        tags: { '04A1B2C3': 'ev-3' },
        ledPins: [2, 3, 4, 5],
      },
      { kind: 'battery', capacityKwh: 10, maxPowerKw: 5, ledPins: [6, 7] },
    ],
    ...overrides,
  };
}
