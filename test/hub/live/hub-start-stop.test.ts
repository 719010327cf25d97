import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, watch } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../mqtt-helpers.js';
import { CLI } from './hub-process.js';

const data = tempDir('gridflex-hub-start-stop-');
const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  data.remove();
});

/** A loopback port held by another program for the whole file. */
function takenPort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

interface Ended {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runHub(args: string[], onStderr?: (text: string) => void) {
  const child = spawn(process.execPath, [CLI, 'hub', '--host', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(stderr);
  });
  const ended = new Promise<Ended>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, stdout, stderr })),
  );
  return { child, ended, stdout: () => stdout };
}

/** Processes (by pid) whose command line mentions `text`: a board started with a config in our data dir. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8');
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Resolves once no process mentions `text` any more (the test's timeout fails it if one stays). */
async function noProcessMentions(text: string): Promise<void> {
  while (processesMentioning(text).length > 0) {
    await new Promise((done) => setTimeout(done, 50));
  }
}

describe('gridflex hub: a port already in use', () => {
  for (const flag of ['--mqtt-port', '--ws-port', '--http-port']) {
    it(`${flag} taken: one line naming the flag and the address, exit 2, no hang`, async () => {
      const port = await takenPort();
      const ports = { '--mqtt-port': '0', '--ws-port': '0', '--http-port': '0', [flag]: String(port) };
      const dir = join(data.dir, flag.slice(2));
      const { ended } = runHub([...Object.entries(ports).flat(), '--data-dir', dir]);
      const result = await ended;
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      const last = lines.at(-1) ?? '';
      expect(last).toMatch(new RegExp(`^error: ${flag}: .*127\\.0\\.0\\.1:${port} is already in use`));
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(result.stdout).not.toContain('hub ready');
    });
  }
});

/** `gridflex hub --demo` flags with the data dir `dir` and every port chosen by the system. */
function demoOnFreePorts(dir: string): string[] {
  return ['--demo', '--data-dir', dir, '--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'];
}

describe('gridflex hub --demo: boards never outlive the hub', () => {
  it('SIGINT while the boards are being started: a clean stop (exit 0) and no board left running', async () => {
    const dir = join(data.dir, 'sigint-early');
    const devices = join(dir, 'devices');
    mkdirSync(devices, { recursive: true });
    const hub = runHub(demoOnFreePorts(dir));
    // The first board's config is written just before its process starts, and the hub is not ready until the
    // last one has started: the signal lands in the middle of the start-up.
    await new Promise<void>((done) => {
      const watcher = watch(devices, () => {
        watcher.close();
        done();
      });
    });
    hub.child.kill('SIGINT');
    const result = await hub.ended;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    await noProcessMentions(devices);
  });

  it('a hub killed outright (SIGKILL) still takes its boards with it', async () => {
    const dir = join(data.dir, 'sigkill');
    const hub = runHub(demoOnFreePorts(dir));
    await new Promise<void>((done, reject) => {
      hub.child.stdout.on('data', () => {
        if (hub.stdout().includes('hub ready')) done();
      });
      hub.ended.then((result) => reject(new Error(`hub ended before ready: ${result.stderr}`)));
    });
    const devices = join(dir, 'devices');
    expect(processesMentioning(devices).length).toBeGreaterThan(0);
    hub.child.kill('SIGKILL');
    await hub.ended;
    await noProcessMentions(devices);
  });
});
