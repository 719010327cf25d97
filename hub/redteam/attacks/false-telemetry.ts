/**
 * False telemetry: a home's battery or EV reports a state of charge that is not the physics' (offset by a
 * share of its capacity, frozen at its first reading, or replayed from hours before). The agents and the
 * coordinator plan on the reading; the physics runs on the truth.
 */
import { z } from 'zod';
import { defineAttack } from '../red-team.js';
import { socKey, TELEMETRY_DEVICES, targetStore } from '../telemetry.js';

export const falseTelemetry = defineAttack({
  kind: 'false-telemetry',
  description: "a home's battery or EV reports a false state of charge: offset, frozen or replayed",
  schema: z.strictObject({
    kind: z.literal('false-telemetry'),
    /** Default: the first home with the device. */
    home: z.string().min(1).optional(),
    device: z.enum(TELEMETRY_DEVICES).default('ev'),
    mode: z.enum(['offset', 'frozen', 'replayed']).default('offset'),
    /** offset: added to the true reading, % of the capacity (the reading stays within 0..capacity). */
    offsetPct: z.number().min(-100).max(100).default(50),
    /** replayed: the reading of this many hours before. */
    replayHours: z.number().int().min(1).max(168).default(24),
  }),
  check: (entry, references, problem, path) => {
    if (entry.home !== undefined && !references.homeIds.includes(entry.home))
      throw problem(`${path}.home`, `a home of the scenario (${references.homeIds.join(', ')})`, entry.home);
  },
  create: (entry, context) => {
    const { device } = entry;
    const { home, spec } = targetStore(entry, context);
    const { capacityKwh } = spec;
    const key = socKey(device);
    const history: number[] = [];
    let truthKwh = 0;
    const reported = (step: number): number => {
      if (entry.mode === 'frozen') return history[0] as number;
      if (entry.mode === 'replayed') {
        const earlier = step - (entry.replayHours * 60) / context.world.stepMinutes;
        return history[Math.max(0, earlier)] as number;
      }
      return Math.min(capacityKwh, Math.max(0, truthKwh + (entry.offsetPct / 100) * capacityKwh));
    };
    return [
      {
        before: 'residents',
        participant: {
          name: 'attack:false-telemetry',
          step: (frame) => {
            truthKwh = home.state[key];
            history[frame.step] = truthKwh;
            home.state[key] = reported(frame.step);
          },
        },
      },
      {
        // The agents have planned on the reading; the physics goes on from the truth.
        after: 'residents',
        participant: {
          name: 'attack:false-telemetry:truth',
          step: () => {
            home.state[key] = truthKwh;
          },
        },
      },
    ];
  },
});
