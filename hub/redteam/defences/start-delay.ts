/**
 * Randomised start delays (GB smart charge point rules): each time an EV charger or a home battery is told
 * to start charging, it runs that charging block a random delay late, so commands that reach many homes at
 * once do not switch them on at the same instant. The live table's smart chargers delay each start by up to
 * the regulator's bound (hub/table/live-street.ts). The delays are the hub's own change (`HubChanges`): a plan
 * check expects a home to run its proposal as delayed by the same draw.
 */
import { z } from 'zod';
import type { HomeSetpoints } from '../../homes/index.js';
import { defineDefence, proposalAt } from '../red-team.js';

const DEVICES = ['evKw', 'batteryKw'] as const;

export const startDelay = defineDefence({
  kind: 'start-delay',
  description: 'chargers and batteries start each charge after a random delay of up to a bound',
  counters: ['sync-charge'],
  schema: z.strictObject({
    kind: z.literal('start-delay'),
    /** GB smart charge points: up to 10 minutes; a longer bound spreads a street over more 30-minute steps. */
    maxDelayMinutes: z.number().int().min(1).max(720).default(30),
  }),
  create: (entry, context) => {
    // Per home and device: the charging it was told and the charging its proposal asked for (what it was told
    // when it has no plan), newest last, and the delay of its current block.
    const told = new Map<string, number[]>();
    const proposed = new Map<string, number[]>();
    const delayMinutes = new Map<string, number>();
    let stepMinutes = 0;
    context.hubChanges.add({
      // `setpoints` stand for this step's proposal: the delay runs it with the earlier steps' proposals.
      applied: (home, setpoints) => {
        const result: HomeSetpoints = { ...setpoints };
        for (const device of DEVICES) {
          if (setpoints[device] < 0) continue;
          const key = `${home.spec.id}/${device}`;
          const history = [...(proposed.get(key) ?? []).slice(0, -1), setpoints[device]];
          result[device] = delayed(history, delayMinutes.get(key) ?? 0, stepMinutes);
        }
        return result;
      },
    });
    return [
      {
        after: 'residents',
        participant: {
          name: 'defence:start-delay',
          step: (frame) => {
            stepMinutes = frame.stepMinutes;
            // The steps a delayed block may reach back over (30-minute steps in a year run, the clock's live).
            const keptSteps = 2 + Math.ceil(entry.maxDelayMinutes / frame.stepMinutes);
            const keep = (histories: Map<string, number[]>, key: string, kw: number): number[] => {
              const history = histories.get(key) ?? [];
              histories.set(key, history);
              history.push(kw);
              if (history.length > keptSteps) history.shift();
              return history;
            };
            for (const home of context.homes) {
              const setpoints = frame.setpoints[home.index];
              if (!setpoints) continue;
              const proposal = proposalAt(context.world, home, frame) ?? { ...setpoints };
              for (const device of DEVICES) {
                const key = `${home.spec.id}/${device}`;
                const chargeKw = Math.max(0, setpoints[device]);
                if (chargeKw > 0 && !((told.get(key)?.at(-1) ?? 0) > 0)) {
                  // One draw per start, from a stream of its own, so the homes' order changes nothing.
                  delayMinutes.set(
                    key,
                    context.rng.fork(`${key}/${frame.step}`).int(entry.maxDelayMinutes + 1),
                  );
                }
                const history = keep(told, key, chargeKw);
                keep(proposed, key, Math.max(0, proposal[device]));
                // Discharging is not a start: only the charging runs late.
                if (setpoints[device] >= 0)
                  setpoints[device] = delayed(history, delayMinutes.get(key) ?? 0, frame.stepMinutes);
              }
            }
          },
        },
      },
    ];
  },
});

/** The power of a schedule run `delayMinutes` late, over the step whose told power is the history's last. */
function delayed(history: readonly number[], delayMinutes: number, stepMinutes: number): number {
  const wholeSteps = Math.floor(delayMinutes / stepMinutes);
  const fraction = delayMinutes / stepMinutes - wholeSteps;
  const at = (stepsBack: number) => history[history.length - 1 - stepsBack] ?? 0;
  return at(wholeSteps) * (1 - fraction) + at(wholeSteps + 1) * fraction;
}
