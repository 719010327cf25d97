import { spawn } from 'node:child_process';
import { freePort } from './live/hub-process.js';

/** Debian's redis-server (installed by .ci/run). */
const REDIS_SERVER = '/usr/bin/redis-server';

/** A redis-server of the test's own on a free loopback port, without persistence. */
export interface RedisServer {
  url: string;
  /** Kills it and resolves once it has exited. */
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const redis = spawn(REDIS_SERVER, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  const exited = new Promise<void>((done) => redis.once('exit', () => done()));
  let out = '';
  await new Promise<void>((ready, fail) => {
    redis.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/Ready to accept connections/.test(out)) ready();
    });
    exited.then(() => fail(new Error(`redis-server exited before it was ready:\n${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      redis.kill('SIGKILL');
      return exited;
    },
  };
}
