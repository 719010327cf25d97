/**
 * Randomised start delays (GB smart charge point rules): each time an EV charger or a home battery is told
 * to start charging, it runs that charging block a random delay late, so commands that reach many homes at
 * once do not switch them on at the same instant. The live table's smart chargers delay each start by up to
 * the regulator's bound (hub/table/live-street.ts).
 */
import { z } from 'zod';
import { defineDefence } from '../red-team.js';

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
    // Per home and device: the charging it was told, newest last, and the delay of its current block.
    const told = new Map<string, number[]>();
    const delayMinutes = new Map<string, number>();
    return [
      {
        after: 'residents',
        participant: {
          name: 'defence:start-delay',
          step: (frame) => {
            // The steps a delayed block may reach back over (30-minute steps in a year run, the clock's live).
            const keptSteps = 2 + Math.ceil(entry.maxDelayMinutes / frame.stepMinutes);
            for (const home of context.homes) {
              const setpoints = frame.setpoints[home.index];
              if (!setpoints) continue;
              for (const device of DEVICES) {
                const key = `${home.spec.id}/${device}`;
                const history = told.get(key) ?? [];
                told.set(key, history);
                const chargeKw = Math.max(0, setpoints[device]);
                if (chargeKw > 0 && !((history.at(-1) ?? 0) > 0)) {
                  // One draw per start, from a stream of its own, so the homes' order changes nothing.
                  delayMinutes.set(
                    key,
                    context.rng.fork(`${key}/${frame.step}`).int(entry.maxDelayMinutes + 1),
                  );
                }
                history.push(chargeKw);
                if (history.length > keptSteps) history.shift();
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
