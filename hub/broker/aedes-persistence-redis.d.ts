/** The async class of aedes-persistence-redis (its package ships no types; its main export is the callback API). */
declare module 'aedes-persistence-redis/asyncPersistence.js' {
  import type { Redis } from 'ioredis';

  export default class AsyncRedisPersistence {
    constructor(options: { conn: Redis });
    /** Retained packets matching any of `patterns`: an async generator. */
    createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>;
    destroy(): Promise<void>;
  }
}
