import type { Duplex } from 'node:stream';

/**
 * Watches the raw bytes a client sends and calls `onOversized` as soon as an MQTT packet header announces
 * more than `maxPacketBytes`, before the packet's body arrives: the broker never buffers a huge packet.
 *
 * It taps the stream's `data` events, which fire for each chunk the broker itself reads (the broker drives
 * the stream with `readable`/`read()`), so it sees the bytes before the MQTT parser does.
 */
export function guardFrames(
  stream: Duplex,
  maxPacketBytes: number,
  onOversized: (announcedBytes: number) => void,
): void {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let remaining = 0;
  let tripped = false;
  stream.on('data', (chunk: Buffer) => {
    if (tripped) return;
    let offset = 0;
    while (offset < chunk.length) {
      if (state === 'type') {
        offset += 1;
        state = 'length';
        length = 0;
        multiplier = 1;
      } else if (state === 'length') {
        const byte = chunk[offset++] ?? 0;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) !== 0) continue;
        if (length > maxPacketBytes) {
          tripped = true;
          onOversized(length);
          return;
        }
        remaining = length;
        state = remaining === 0 ? 'type' : 'body';
      } else {
        const skip = Math.min(remaining, chunk.length - offset);
        offset += skip;
        remaining -= skip;
        if (remaining === 0) state = 'type';
      }
    }
  });
}
