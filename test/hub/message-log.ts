import type { MqttClient } from 'mqtt';

/** A message a {@link MessageLog} kept, with its place in the log. */
export interface LoggedMessage {
  index: number;
  topic: string;
  payload: Buffer;
}

/**
 * Every message a client receives on the topics kept, in order, so a test waits from a place in the log rather
 * than from when its wait began. mqtt.js hands over the packets of one socket read one after another in a chain
 * of process.nextTick callbacks, and an `await` resumes only after that chain: a wait started after awaiting one
 * message misses any message that came in the same read (a step's pins right behind its homes), and one started
 * after awaiting a PUBACK misses what the broker sent the subscriber meanwhile. Marking the log before the action
 * and reading on from the message that was found misses nothing.
 */
export class MessageLog {
  private readonly messages: LoggedMessage[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(client: MqttClient, keep: (topic: string) => boolean = () => true) {
    client.on('message', (topic, payload) => {
      if (!keep(topic)) return;
      this.messages.push({ index: this.messages.length, topic, payload });
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /** The place of the next message to arrive: a wait from here finds only what comes after this call. */
  mark(): number {
    return this.messages.length;
  }

  /** What has come from place `from` on, in arrival order. */
  since(from: number): readonly LoggedMessage[] {
    return this.messages.slice(from);
  }

  /** The first message at `from` or later on a topic passing `topicTest` whose payload passes `accept`. */
  next(
    from: number,
    topicTest: (topic: string) => boolean,
    accept: (payload: Buffer) => boolean = () => true,
  ): Promise<LoggedMessage> {
    return this.first(from, (message) => topicTest(message.topic) && accept(message.payload));
  }

  /** The first message at `from` or later that passes `test`, already logged or still to come. */
  first(from: number, test: (message: LoggedMessage) => boolean): Promise<LoggedMessage> {
    let scanned = from;
    const find = (): LoggedMessage | undefined => {
      for (; scanned < this.messages.length; scanned++) {
        const message = this.messages[scanned] as LoggedMessage;
        if (test(message)) return message;
      }
      return undefined;
    };
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const waiter = () => {
        const message = find();
        if (!message) return;
        this.waiters.delete(waiter);
        resolve(message);
      };
      this.waiters.add(waiter);
    });
  }
}
