import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-run-external-');
afterAll(() => data.remove());

interface Decision {
  step: number;
  home: string;
  policy: string;
  kind: string;
  text: string;
}

/** `gridflex run` of the table street for a day under policy external; its plan decisions for home-3. */
function runExternal(
  name: string,
  agentFlags: string[],
): { status: number | null; stderr: string; home3: Decision[] } {
  const out = join(data.dir, name);
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'run',
      '--scenario',
      'scenarios/table.yaml',
      '--policy',
      'external',
      '--days',
      '1',
      '--out',
      out,
      '--data-dir',
      data.dir,
      ...agentFlags,
    ],
    { encoding: 'utf8' },
  );
  const decisions =
    run.status === 0
      ? readFileSync(join(out, 'decisions.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Decision)
      : [];
  return {
    status: run.status,
    stderr: run.stderr,
    home3: decisions.filter((decision) => decision.home === 'home-3' && decision.kind === 'plan'),
  };
}

describe('gridflex run --policy external --agent', () => {
  it('asks the team’s program for each plan over its stdin and follows the answers from the next half-hour', () => {
    const { status, stderr, home3 } = runExternal('with-agent', [
      '--agent',
      `"${process.execPath}" examples/external-agent/agent.mjs --stdio`,
      '--agent-deadline-ms',
      '20000',
    ]);
    expect(stderr).not.toMatch(/error|refused/);
    expect(status).toBe(0);
    expect(home3[0]?.text).toMatch(/^the outside agent did not answer by 00:00: built-in selfish plan/);
    const followed = home3.filter((decision) => decision.text.startsWith('outside agent: EV charges in the'));
    expect(followed.length).toBeGreaterThan(0);
    expect(home3.every((decision) => decision.policy === 'external')).toBe(true);
  });

  it('without an agent every home runs the selfish plan and says why', () => {
    const { status, home3 } = runExternal('without-agent', []);
    expect(status).toBe(0);
    expect(home3.length).toBeGreaterThan(0);
    for (const decision of home3) expect(decision.text).toMatch(/^no outside agent is connected/);
  });
});
