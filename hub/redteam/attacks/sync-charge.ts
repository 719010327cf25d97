/**
 * Synchronised charging: at one clock time every day, N homes' EVs and batteries charge at full power for a
 * while, whatever their agents planned (a botnet of chargers, or one vendor's cloud told to start them all).
 */
import { z } from 'zod';
import { ClockTimeSchema, parseClock } from '../../../protocol/clock.js';
import { MINUTES_PER_DAY } from '../../environment/calendar.js';
import { checkHomeIds, chosenHomes, defineAttack, HomesChoiceSchema, inDailyWindow } from '../red-team.js';

export const syncCharge = defineAttack({
  kind: 'sync-charge',
  description: 'N homes charge their EVs and batteries at full power at the same clock time every day',
  schema: z.strictObject({
    kind: z.literal('sync-charge'),
    /** Clock time the charging starts. */
    at: ClockTimeSchema.default('17:30'),
    durationMinutes: z.number().int().min(1).max(MINUTES_PER_DAY).default(120),
    /** Default: every home with an EV or a battery. */
    homes: HomesChoiceSchema.optional(),
  }),
  check: (entry, references, problem, path) => checkHomeIds(entry.homes, references, problem, path),
  create: (entry, context) => {
    const charges = (home: { spec: { ev?: unknown; battery?: unknown } }) =>
      Boolean(home.spec.ev ?? home.spec.battery);
    const homes = chosenHomes(context.homes, entry.homes, charges);
    for (const home of homes) context.markAttacker(home);
    const startMinute = parseClock(entry.at) % MINUTES_PER_DAY;
    return [
      {
        after: 'residents',
        participant: {
          name: 'attack:sync-charge',
          step: (frame) => {
            if (!inDailyWindow(frame.minuteOfYear % MINUTES_PER_DAY, startMinute, entry.durationMinutes))
              return;
            for (const home of homes) {
              const setpoints = frame.setpoints[home.index];
              if (!setpoints) continue;
              if (home.spec.ev) setpoints.evKw = home.spec.ev.maxChargeKw;
              if (home.spec.battery) setpoints.batteryKw = home.spec.battery.maxChargeKw;
            }
          },
        },
      },
    ];
  },
});
