import type { Duplex } from 'node:stream';

type WriteCallback = (error?: Error | null) => void;

/**
 * Sends what the broker writes to one WebSocket client during one turn of the event loop as one buffer, in one
 * write (one frame) at the turn's end (the check phase, before the loop waits again). mqtt-packet writes a packet
 * in three to six pieces under a cork, and ws's stream sends each piece as a frame of its own; batched, a CONNACK
 * is one frame instead of four, and a dashboard that a step's ~43 publishes reach in one turn gets them in one.
 * The broker batches only its WebSocket clients (the dashboards): a TCP socket writes a corked packet in one
 * writev already, and a board gets about one packet a turn, so there the batch only added a setImmediate and a
 * copy (bench/broker-overhead.js, figures in docs/architecture.md "Latency and memory").
 * Backpressure is kept: `write` answers false once the held and queued bytes reach the high-water mark, and
 * 'drain' follows once they are sent. What is held is sent before the stream is ended or destroyed.
 */
export function batchWritesPerTurn(stream: Duplex): void {
  const write = stream.write.bind(stream) as (chunk: Buffer, callback?: WriteCallback) => boolean;
  const end = stream.end.bind(stream);
  const destroy = stream.destroy.bind(stream);
  let held: Buffer[] = [];
  let heldBytes = 0;
  let callbacks: WriteCallback[] = [];
  /** A write answered false: its caller waits for 'drain'. */
  let drainOwed = false;
  const flush = () => {
    if (held.length === 0) return;
    const chunk = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, heldBytes);
    const waiting = callbacks;
    const oweDrain = drainOwed;
    held = [];
    heldBytes = 0;
    callbacks = [];
    drainOwed = false;
    if (stream.destroyed) return;
    let streamDrains = false;
    streamDrains = !write(chunk, (error) => {
      for (const callback of waiting) callback(error);
      // The stream itself emits 'drain' only after one of its own writes answered false.
      if (oweDrain && !streamDrains && !error) stream.emit('drain');
    });
  };
  stream.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
    const callback = rest.find((arg) => typeof arg === 'function') as WriteCallback | undefined;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    if (held.length === 0) setImmediate(flush);
    held.push(buffer);
    heldBytes += buffer.length;
    if (callback) callbacks.push(callback);
    const room = heldBytes + stream.writableLength < stream.writableHighWaterMark;
    if (!room) drainOwed = true;
    return room;
  }) as Duplex['write'];
  stream.end = ((...args: Parameters<Duplex['end']>) => {
    flush();
    return end(...args);
  }) as Duplex['end'];
  stream.destroy = ((error?: Error) => {
    flush();
    return destroy(error);
  }) as Duplex['destroy'];
}
