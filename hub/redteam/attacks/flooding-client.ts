/**
 * A flooding client: a board (or a stolen board login) publishes as fast as it can at the hub's broker. The
 * broker routes a limited number of messages a second, shared by the flood and the homes' own devices, so
 * the flooded homes' readings (the device–hub links, hub/engine/links.ts) are lost or late and their agents
 * plan on what last got through. The broker's per-identity rate limit (the `rate-limit` defence) holds the
 * flood to its rate.
 */
import { z } from 'zod';
import { Link, type LinkTally } from '../../engine/links.js';
import type { HomeState } from '../../homes/index.js';
import { checkHomeIds, chosenHomes, defineAttack, HomesChoiceSchema } from '../red-team.js';

export const floodingClient = defineAttack({
  kind: 'flooding-client',
  description: "a client floods the hub's broker: the homes' device readings are lost or late while it lasts",
  schema: z.strictObject({
    kind: z.literal('flooding-client'),
    /** What the flooder publishes a second. */
    messagesPerSecond: z.number().int().min(1).max(1_000_000).default(20_000),
    /** What the broker routes a second, the flood and the homes' readings together (the model's). */
    brokerMessagesPerSecond: z.number().int().min(1).max(1_000_000).default(5_000),
    /** The homes whose devices share the flooded broker (default: every home). */
    homes: HomesChoiceSchema.optional(),
    /** On the table: the flooder's board ID (a login the hub makes for it while the attack runs). */
    board: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a board ID (lowercase letters, digits, -)')
      .default('redteam-flood'),
  }),
  check: (entry, references, problem, path) => checkHomeIds(entry.homes, references, problem, path),
  create: (entry, context) => {
    const homes = chosenHomes(context.homes, entry.homes);
    const floodPerSecond = Math.min(
      entry.messagesPerSecond,
      context.settings.publishRateLimitPerSecond ?? Number.POSITIVE_INFINITY,
    );
    const model = floodedLink(floodPerSecond, entry.brokerMessagesPerSecond);
    context.note(
      `a flood of ${entry.messagesPerSecond} msg/s, ${floodPerSecond} through the broker's rate limit: each reading of ${homes.length} homes lost with probability ${model.loss.toFixed(3)}${model.latencyTicks > 0 ? ', the rest a step late' : ''}`,
    );
    const tally: LinkTally = { sent: 0, lost: 0, overBandwidth: 0, delayed: 0 };
    const links = homes.map((home) => ({
      home,
      link: new Link<HomeState>(model, context.rng.fork(home.spec.id), tally),
      installed: structuredClone(home.state),
      truth: home.state,
    }));
    return [
      {
        before: 'residents',
        participant: {
          name: 'attack:flooding-client',
          step: (frame) => {
            for (const item of links) {
              item.truth = structuredClone(item.home.state);
              item.link.send(frame.step, structuredClone(item.home.state));
              const newest = item.link.newestBy(frame.step);
              if (newest?.sentTick === frame.step) continue;
              Object.assign(item.home.state, structuredClone(newest?.payload ?? item.installed));
            }
          },
        },
      },
      {
        // The agents planned on what reached the hub; the physics goes on from the truth.
        after: 'residents',
        participant: {
          name: 'attack:flooding-client:truth',
          step: () => {
            for (const item of links) Object.assign(item.home.state, item.truth);
          },
        },
      },
    ];
  },
});

/**
 * The device–hub link under a flood: the broker routes `brokerPerSecond` messages a second among all it
 * receives, so a reading gets through with the honest share of it, and waits a step behind a flood larger
 * than what the broker routes.
 */
function floodedLink(floodPerSecond: number, brokerPerSecond: number) {
  return {
    latencyTicks: floodPerSecond > brokerPerSecond ? 1 : 0,
    jitterTicks: 0,
    loss: floodPerSecond / (floodPerSecond + brokerPerSecond),
    messagesPerTick: undefined,
  };
}
