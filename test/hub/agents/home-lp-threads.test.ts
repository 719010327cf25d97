import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { FleetPolicyOptions } from '../../../hub/agents/fleet.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import { runStudyPolicy } from '../../../hub/study/poa-study.js';
import { streetPolicyContext } from '../../../hub/study/street-context.js';

/** The built helper (npm test builds dist/ first); the broken one dies before it answers. */
const BUILT_AGENTS = new URL('../../../dist/hub/agents/', import.meta.url);
const BUILT_HELPER = new URL('home-lp-worker.js', BUILT_AGENTS);
const BROKEN_HELPER = new URL('./broken-home-lp-worker.mjs', import.meta.url);

/** A broken install: the built helper and its flags' module, without the solver they import. */
const partialInstall = mkdtempSync(join(tmpdir(), 'home-lp-helper-'));
for (const file of ['home-lp-worker.js', 'home-lp-threads.js']) {
  copyFileSync(new URL(file, BUILT_AGENTS), join(partialInstall, file));
}
afterAll(() => rmSync(partialInstall, { recursive: true, force: true }));

// Two days of the 70 % IEEE street at a 150 kW limit: each window takes many rounds (voltage, cables, the
// transformer), and the second starts from the first's rows and prices, so every home's LP is warm-started.
const inputs = loadRunInputs('scenarios/ieee-eu-lv-70.yaml');
const street = await streetPolicyContext(inputs, {
  transformerLimitKw: 150,
  reinforcementGbpPerKw: 150,
  carbonPriceGbpPerKg: 0,
  loadPriceSlopeGbpPerKwhPerKw: 0,
});

/** Cooperative's run: what every home drew and paid, and the coordination's figures. */
async function cooperative(fleet: FleetPolicyOptions) {
  const { result, extras } = await runStudyPolicy(
    inputs,
    'cooperative',
    { ...street.context, fleet },
    { days: 2 },
  );
  const { windows, messages, iterations, maxViolation, convergedWindows } = extras.coordination ?? {};
  return {
    homes: result.homes,
    coordination: { windows, messages, iterations, maxViolation, convergedWindows },
  };
}

describe("cooperative's home LPs on helper threads (IEEE 70 % street, two days)", () => {
  const serial = cooperative({ homeLpThreads: 0 });

  for (const threads of [1, 2]) {
    it(`plans exactly as in one thread with ${threads} helper${threads > 1 ? 's' : ''}`, async () => {
      const logged: string[] = [];
      const parallel = await cooperative({
        homeLpThreads: threads,
        homeLpThreadOptions: { module: BUILT_HELPER, log: (message) => logged.push(message) },
      });
      const expected = await serial;
      expect(expected.coordination.iterations).toBeGreaterThan(2 * 2);
      expect(parallel).toEqual(expected);
      expect(logged).toEqual([]);
    });
  }

  // The reply timeout stays at its default (120 s, past the test's timeout): each failure must be heard at the start.
  const broken = [
    {
      helper: 'whose module throws as it loads',
      module: BROKEN_HELPER,
      reason: /its module .*broken-home-lp-worker\.mjs did not start running within the start timeout/,
    },
    {
      helper: 'whose solver is missing',
      module: pathToFileURL(join(partialInstall, 'home-lp-worker.js')),
      reason: /Cannot find module .*home-lp\.js|Cannot find module .*highs\.js/,
    },
    {
      helper: 'that is not installed',
      module: pathToFileURL(join(partialInstall, 'no-such-worker.js')),
      reason: /no helper module at .*no-such-worker\.js/,
    },
  ];
  for (const { helper, module, reason } of broken) {
    it(`a helper ${helper} is named at the start and every home's LP runs in the calling thread`, async () => {
      const logged: string[] = [];
      const fallback = await cooperative({
        homeLpThreads: 1,
        homeLpThreadOptions: { module, startTimeoutMs: 3000, log: (message) => logged.push(message) },
      });
      // It failed before its first answer, so every home's LP ran here from the start, as in one thread.
      expect(fallback).toEqual(await serial);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(
        /a home LP thread failed \(.+\); this thread solves every home's LP from now on/,
      );
      expect(logged[0]).toMatch(reason);
    });
  }
});
