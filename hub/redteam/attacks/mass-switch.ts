/**
 * Mass tariff switching: on one day, N homes' agents all ask to move to the same tariff (a compromised agent
 * platform, or one viral tip), so a whole street answers the same price signal at once.
 */
import { z } from 'zod';
import { MINUTES_PER_DAY } from '../../environment/calendar.js';
import { checkHomeIds, chosenHomes, defineAttack, HomesChoiceSchema } from '../red-team.js';

export const massSwitch = defineAttack({
  kind: 'mass-switch',
  description: "N homes' agents all ask to switch to the same tariff on the same day",
  schema: z.strictObject({
    kind: z.literal('mass-switch'),
    /** The tariff every chosen home asks for (one of the scenario's tariffs on offer). */
    tariff: z.string().min(1),
    /** Day of the run (0: the first) on which the requests go in, at midnight; live, days from the operator's word. */
    day: z.number().int().min(0).max(364).default(0),
    /** Default: every home. */
    homes: HomesChoiceSchema.optional(),
  }),
  check: (entry, references, problem, path) => {
    if (!references.tariffIds.includes(entry.tariff))
      throw problem(`${path}.tariff`, `a tariff on offer (${references.tariffIds.join(', ')})`, entry.tariff);
    checkHomeIds(entry.homes, references, problem, path);
  },
  create: (entry, context) => {
    const switching = context.switching;
    if (!switching) throw context.refuse('kind', 'a street with tariff switching', entry.kind);
    const homes = chosenHomes(context.homes, entry.homes);
    for (const home of homes) context.markAttacker(home);
    let firstMinute: number | undefined;
    let sent = false;
    return [
      {
        // Before the day's switching boundary, so the requests queue for the day's processing.
        before: 'tariffs',
        participant: {
          name: 'attack:mass-switch',
          step: (frame) => {
            firstMinute ??= frame.minuteOfYear;
            if (sent || frame.minuteOfYear - firstMinute < entry.day * MINUTES_PER_DAY) return;
            sent = true;
            for (const home of homes) {
              const tariff = switching.tariffOf(home);
              if (tariff === entry.tariff || switching.isPending(home.spec.id)) continue;
              switching.request({
                homeId: home.spec.id,
                fromTariffId: tariff,
                toTariffId: entry.tariff,
                requestMinute: frame.minuteOfYear,
                reason: 'red team: mass switch',
              });
            }
          },
        },
      },
    ];
  },
});
