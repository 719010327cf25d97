/**
 * A Redis URL given on the command line (`--queue`, `--cluster`), checked before anything relies on it: the
 * Redis clients retry a refused connection for ever, which for a mistyped host would be a silent hang.
 */
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { InputError } from './errors.js';

/** How long the first connection may take before the URL is reported unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connection options for a `redis://` or `rediss://` URL given to `flag`, once a PING has answered.
 */
export async function redisConnection(url: string, flag: string): Promise<ConnectionOptions> {
  const options = redisUrl(url, flag);
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, a DNS failure) says more than the "Connection is closed" after it.
  let socketError: Error | undefined;
  probe.on('error', (error: Error) => {
    socketError = error;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new InputError(flag, `cannot reach Redis at ${url}: ${(socketError ?? (error as Error)).message}`);
  } finally {
    probe.disconnect();
  }
  return options;
}

function redisUrl(url: string, flag: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(flag, `expected a Redis URL like redis://host:6379, found "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InputError(flag, `expected a redis:// or rediss:// URL, found "${url}"`);
  }
  // Workers block on the queue, which ioredis must not time out (BullMQ requires null here).
  return { url, maxRetriesPerRequest: null };
}
