/**
 * A flooding client: a board (or a stolen board login) publishes as fast as it can at the hub's broker. The
 * broker routes a limited number of messages a second, shared by the flood and the homes' own devices, so
 * the flooded homes' readings (the device–hub links, hub/engine/links.ts) are lost or late and their agents
 * plan on what last got through. The broker's per-identity rate limit (the `rate-limit` defence) holds the
 * flood to its rate.
 *
 * On the live table the flooder is a real MQTT client with a board login of its own, publishing into its
 * own Homie tree at the rate asked; the broker's rate limit holds it (disconnected and held off) unless the
 * operator runs it without the `rate-limit` defence, which lifts the limit for that login alone.
 */
import { z } from 'zod';
import { HOMIE_ROOT } from '../../../protocol/homie.js';
import { Link, type LinkTally } from '../../engine/links.js';
import type { HomeState } from '../../homes/index.js';
import { startRedTeamClient } from '../live-client.js';
import { checkHomeIds, chosenHomes, defineAttack, HomesChoiceSchema } from '../red-team.js';

/** The live flooder publishes its second's worth in ten bursts. */
const FLOOD_TICK_MS = 100;

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
  live: (entry, { broker, settings }) => {
    const rateLimited = settings.publishRateLimitPerSecond !== undefined;
    const perTick = Math.max(1, Math.round((entry.messagesPerSecond * FLOOD_TICK_MS) / 1000));
    const topic = `${HOMIE_ROOT}/${entry.board}/flood/seq`;
    let seq = 0;
    return startRedTeamClient(broker, {
      kind: 'flooding-client',
      board: entry.board,
      rights: { unlimited: !rateLimited },
      doing: `publishes ${entry.messagesPerSecond} msg/s into ${HOMIE_ROOT}/${entry.board}/; the broker's rate limit is ${rateLimited ? 'on' : 'lifted for it'}`,
      everyMs: FLOOD_TICK_MS,
      tick: (client) => {
        for (let k = 0; k < perTick; k++) client.publish(topic, String(seq++), { qos: 0 });
        return perTick;
      },
    });
  },
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
