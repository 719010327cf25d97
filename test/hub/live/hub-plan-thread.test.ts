import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../mqtt-helpers.js';
import { startHub } from './hub-process.js';

const data = tempDir('gridflex-hub-plan-thread-');

afterAll(() => data.remove());

describe('gridflex hub: the plan thread', () => {
  it('ends the plan thread when it stops: the process exits by itself, 0 (a thread left running would hold it)', async () => {
    const hub = await startHub(['--data-dir', data.dir]);
    expect(await hub.stop()).toBe(0);
    // The first step ran before "hub ready", its plan requests through the thread: with no board online every
    // home still gets a plan (all zeros), in the running street and in each shadow run.
    expect(await hub.logLine(/agents: /)).toMatch(
      /agents: [1-9]\d* plans in \d+ ms over [1-9]\d* steps .*; the shadow runs [1-9]\d* plans in \d+ ms$/,
    );
    expect(hub.log.filter((line) => /plan thread|planning failed/.test(line))).toEqual([]);
  });
});
