import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const data = tempDir('gridflex-poa-external-');
afterAll(() => data.remove());

// A team agent that never charges an EV: its column must show the EVs' energy missing from the bills.
const NEVER_CHARGE = `
import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  const plan = { requestId: request.requestId, evKw: new Array(request.horizonSteps).fill(0), explanation: 'never charge' };
  process.stdout.write(JSON.stringify(plan) + '\\n');
});
`;

function study(out: string, extra: string[]) {
  return spawnSync(
    process.execPath,
    [
      CLI,
      'study',
      'poa',
      '--scenario',
      'scenarios/table.yaml',
      '--days',
      '1',
      '--out',
      out,
      '--data-dir',
      data.dir,
      '--workers',
      '2',
      ...extra,
    ],
    { encoding: 'utf8' },
  );
}

describe('gridflex study poa --agent', () => {
  it('adds the team agent as policy external, one more column planned by the agent', () => {
    const agentFile = join(data.dir, 'never-charge.mjs');
    writeFileSync(agentFile, NEVER_CHARGE);
    const out = join(data.dir, 'with-agent');
    const run = study(out, [
      '--agent',
      `"${process.execPath}" "${agentFile}"`,
      '--agent-deadline-ms',
      '20000',
    ]);
    expect(run.stderr).not.toMatch(/error|refused/);
    expect(run.status, run.stderr).toBe(0);
    const poa = JSON.parse(readFileSync(join(out, 'poa.json'), 'utf8'));
    expect(Object.keys(poa.policies)).toEqual(['passive', 'selfish', 'cooperative', 'central', 'external']);
    expect(run.stdout).toMatch(/^  external +social £[\d,.]+/m);
    // The homes followed the agent after its first answer: no EV energy bought, so the bills are lower
    // than under the selfish plan the external policy falls back to.
    expect(poa.policies.external.billsGbp).toBeLessThan(poa.policies.selfish.billsGbp - 1);
    expect(JSON.parse(readFileSync(join(out, 'timing.json'), 'utf8'))).toHaveProperty('external.runMs');
  });

  it('without --agent the study keeps its four columns', () => {
    const out = join(data.dir, 'without-agent');
    const run = study(out, []);
    expect(run.status, run.stderr).toBe(0);
    const poa = JSON.parse(readFileSync(join(out, 'poa.json'), 'utf8'));
    expect(Object.keys(poa.policies)).toEqual(['passive', 'selfish', 'cooperative', 'central']);
  });
});
