/**
 * Plan checks: the coordinator (a fleet policy: cooperative, central, nash) compares what each of its homes'
 * meters show its EV, battery and heat pump did with the plan the home proposed. A home that strays by more
 * than the tolerance in `strikes` steps is excluded from running its own devices: from then on its proposal
 * is enforced through its charger and controls. It allows for what the hub itself did to the home
 * (`HubChanges`: the start-delay defence's delays; live also the table's start delays and boosts). On the live
 * table it reads the proposal in the half-hour plan step the clock is in.
 */
import { z } from 'zod';
import { isFleetPolicy } from '../../agents/fleet.js';
import type { StepFrame } from '../../engine/street.js';
import type { StreetHome } from '../../engine/street-home.js';
import type { HomeSetpoints } from '../../homes/index.js';
import { defineDefence, proposalAt, stepLabel } from '../red-team.js';

const DEVICES = ['evKw', 'batteryKw', 'heatPumpKw'] as const satisfies readonly (keyof HomeSetpoints)[];

export const planCheck = defineDefence({
  kind: 'plan-check',
  description:
    'the coordinator checks each home runs the plan it proposed, and enforces it on homes that do not',
  counters: ['lying-agent'],
  schema: z.strictObject({
    kind: z.literal('plan-check'),
    /** Σ over devices of |metered − proposed| above which a step counts as a strike, kW. */
    toleranceKw: z.number().finite().gt(0).max(100).default(0.5),
    /** Strikes before the home is excluded. */
    strikes: z.number().int().min(1).max(1000).default(1),
  }),
  create: (entry, context) => {
    const strikes = new Map<StreetHome, number>();
    const excluded = new Set<StreetHome>();
    const proposal = (home: StreetHome, frame: StepFrame) => proposalAt(context.world, home, frame);
    return [
      {
        after: 'residents',
        participant: {
          name: 'defence:plan-check:enforce',
          step: (frame) => {
            for (const home of excluded) {
              const proposed = proposal(home, frame);
              if (proposed) frame.setpoints[home.index] = proposed;
            }
          },
        },
      },
      {
        after: 'homes',
        participant: {
          name: 'defence:plan-check',
          step: (frame) => {
            // Only a coordinator's homes propose plans; a home planning alone answers to nobody.
            for (const home of context.homes) {
              if (!isFleetPolicy(home.policy)) continue;
              const proposed = proposal(home, frame);
              const metered = frame.results[home.index];
              if (!proposed || !metered || excluded.has(home)) continue;
              // What the home should have run: its proposal under the hub's own start delays and boosts, none
              // of it by an EV that has left (a charge delayed past the departure is lost, as the meter shows).
              const allowed = context.hubChanges.applied(home, proposed);
              if (frame.inputs[home.index]?.evAtHome === false) allowed.evKw = 0;
              const strayKw = DEVICES.reduce(
                (sum, device) => sum + Math.abs(metered[device] - allowed[device]),
                0,
              );
              if (strayKw <= entry.toleranceKw) continue;
              const count = (strikes.get(home) ?? 0) + 1;
              strikes.set(home, count);
              if (count < entry.strikes) continue;
              excluded.add(home);
              context.note(
                `${home.spec.id} excluded at ${stepLabel(context.world, frame)}: ran ${strayKw.toFixed(1)} kW away from its proposal (${count} strike${count === 1 ? '' : 's'})`,
              );
            }
          },
        },
      },
    ];
  },
});
