/**
 * Oscillating load: N homes switch an extra load on and off together (a square wave of a period and an
 * amplitude), the pattern that excites voltage swings and trips protection on a weak feeder.
 */
import { z } from 'zod';
import { checkHomeIds, chosenHomes, defineAttack, HomesChoiceSchema, runMinute } from '../red-team.js';

export const oscillatingLoad = defineAttack({
  kind: 'oscillating-load',
  description: 'N homes switch an extra load on and off in step: a square wave of a period and amplitude',
  schema: z.strictObject({
    kind: z.literal('oscillating-load'),
    /** On for half the period, off for the other half; at least two 30-minute steps. */
    periodMinutes: z.number().int().min(60).max(2880).multipleOf(60).default(120),
    amplitudeKw: z.number().finite().gt(0).max(50).default(5),
    /** Default: the first three homes. */
    homes: HomesChoiceSchema.default(3),
  }),
  check: (entry, references, problem, path) => checkHomeIds(entry.homes, references, problem, path),
  create: (entry, context) => {
    const homes = chosenHomes(context.homes, entry.homes);
    for (const home of homes) context.markAttacker(home);
    const halfPeriodMinutes = entry.periodMinutes / 2;
    return [
      {
        // After the world fills each home's inputs, before the homes step: the load adds to the base load.
        after: 'world',
        participant: {
          name: 'attack:oscillating-load',
          step: (frame) => {
            const on = Math.floor(runMinute(frame.step, frame.stepMinutes) / halfPeriodMinutes) % 2 === 0;
            if (!on) return;
            for (const home of homes) {
              const inputs = frame.inputs[home.index];
              if (inputs) inputs.baseLoadKw += entry.amplitudeKw;
            }
          },
        },
      },
    ];
  },
});
