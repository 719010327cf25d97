import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchWritesPerTurn } from '../../../hub/broker/write-batch.js';

const opened: { server: Server; sockets: Socket[] }[] = [];

afterEach(() => {
  for (const { server, sockets } of opened.splice(0)) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

/** A loopback TCP connection: the server's socket (batched, as the broker's are) and what the client reads. */
async function connection() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = createConnection(address.port, '127.0.0.1');
  const [socket] = await accepted;
  opened.push({ server, sockets: [socket, client] });
  let read = '';
  client.on('data', (chunk: Buffer) => {
    read += chunk.toString();
  });
  batchWritesPerTurn(socket);
  // The system calls node makes for the socket: one per _writev (a batch) or _write (a lone chunk).
  const writev = vi.spyOn(socket as unknown as { _writev: () => void }, '_writev');
  const writeOne = vi.spyOn(socket as unknown as { _write: () => void }, '_write');
  return { socket, read: () => read, client, writev, writeOne };
}

describe('batchWritesPerTurn (the broker’s writes to a client)', () => {
  it('sends what one turn of the event loop wrote as one buffer at its end, in order, and each turn its own', async () => {
    const { socket, read, client, writev, writeOne } = await connection();
    socket.write('a');
    process.nextTick(() => socket.write(Buffer.from('b')));
    await Promise.resolve();
    socket.write('c');
    expect(writeOne).not.toHaveBeenCalled();
    await nextTurn();
    expect(writeOne).toHaveBeenCalledTimes(1);
    socket.write('d');
    socket.write('e');
    await nextTurn();
    expect(writeOne).toHaveBeenCalledTimes(2);
    expect(writev).not.toHaveBeenCalled();
    while (read().length < 5) await once(client, 'data');
    expect(read()).toBe('acbde');
  });

  it('sends what it holds before the stream ends', async () => {
    const { socket, read, client } = await connection();
    socket.write('bye');
    socket.end();
    await once(client, 'end');
    expect(read()).toBe('bye');
  });

  it('keeps backpressure: write answers false past the high-water mark, and the stream drains after the batch', async () => {
    const { socket, read, client } = await connection();
    const big = 'x'.repeat(socket.writableHighWaterMark);
    expect(socket.write('y')).toBe(true);
    expect(socket.write(big)).toBe(false);
    await once(socket, 'drain');
    while (read().length < big.length + 1) await once(client, 'data');
    expect(read()).toBe(`y${big}`);
  });
});
