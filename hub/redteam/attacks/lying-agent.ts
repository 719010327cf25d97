/**
 * A lying agent: it proposes to the cooperative coordinator the plan the coordinator asks for, then runs its
 * own selfish plan. The coordinator counts on a plan that never happens.
 */
import { z } from 'zod';
import { isFleetPolicy } from '../../agents/fleet.js';
import { type Plan, setpointsAt } from '../../agents/index.js';
import { emptyForecast, type StreetHome } from '../../engine/street-home.js';
import { checkHomeIds, chosenHomes, defineAttack, HomesChoiceSchema, planSlotOf } from '../red-team.js';

export const lyingAgent = defineAttack({
  kind: 'lying-agent',
  description: 'N homes propose the coordinator’s plan and run their own selfish plan instead',
  schema: z.strictObject({
    kind: z.literal('lying-agent'),
    /** Default: the first home with an EV or a battery. */
    homes: HomesChoiceSchema.default(1),
  }),
  check: (entry, references, problem, path) => checkHomeIds(entry.homes, references, problem, path),
  create: async (entry, context) => {
    const flexible = (home: StreetHome) => Boolean(home.spec.ev ?? home.spec.battery);
    const liars = chosenHomes(context.homes, entry.homes, flexible);
    for (const home of liars) {
      context.markAttacker(home);
      if (!isFleetPolicy(home.policy))
        context.note(
          `${home.spec.id} runs ${home.policy.name}: no coordinator to lie to, so its lie changes nothing`,
        );
    }
    const own = await context.makePolicy('selfish');
    const forecast = emptyForecast(own.horizonSteps);
    // Its own plan and the plan slot it was made in (a step in a year run, a half-hour live).
    const plans = new Map<StreetHome, { plan: Plan; slot: number }>();
    const ownPlan = (home: StreetHome, slot: number): { plan: Plan; slot: number } => {
      const kept = plans.get(home);
      if (kept && slot - kept.slot < own.replanEverySteps) return kept;
      // Its own forecast buffers: the street's belong to the plan it proposed.
      context.world.fillForecast({ ...home, forecast }, slot, own.horizonSteps);
      const plan = own.plan({
        home: home.spec,
        state: home.state,
        step: slot,
        dtHours: context.world.planStepMinutes / 60,
        horizonSteps: own.horizonSteps,
        forecast,
        valuation: context.valuation,
      });
      const made = { plan, slot };
      plans.set(home, made);
      return made;
    };
    return [
      {
        after: 'residents',
        participant: {
          name: 'attack:lying-agent',
          step: (frame) => {
            const now = planSlotOf(context.world, frame);
            for (const home of liars) {
              const { plan, slot } = ownPlan(home, now);
              frame.setpoints[home.index] = setpointsAt(plan, now - slot);
            }
          },
        },
      },
    ];
  },
});
