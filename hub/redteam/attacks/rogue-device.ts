/**
 * A rogue device: a board with a login of its own publishes under another board's ID, claiming the victim
 * home's battery or EV. Its readings say the store is empty, so the victim's agent charges it whenever it
 * may and the hub plans the street on a false state. The broker lets a board publish only under its own ID
 * (the `identity-check` defence: the ACL of hub/auth/acl.ts and the device tracker's ownership), which
 * refuses every one of them.
 *
 * On the live table the rogue is a real MQTT client with a board login of its own that publishes the victim
 * battery board's power (`homie/5/<victim>/battery/power-kw`) as `powerKw`; the broker refuses it (and
 * closes the connection) unless the operator runs it without the `identity-check` defence, which lets that
 * login alone publish into the victim's tree (never its `/set` commands). With `claim: client-id` it also
 * connects with the victim's client ID: refused (reserved for the victim's login, docs/security.md,
 * Sessions) under the identity check; without it, it takes the victim board's connection over, and the board,
 * reconnecting, is refused while the rogue holds its ID.
 */
import { z } from 'zod';
import { HOMIE_ROOT } from '../../../protocol/homie.js';
import { startRedTeamClient } from '../live-client.js';
import { defineAttack, stepLabel } from '../red-team.js';

/** How often the live rogue repeats its reading: more often than the victim's own board (every second). */
const ROGUE_TICK_MS = 250;

import { socKey, TELEMETRY_DEVICES, targetStore } from '../telemetry.js';

const BoardIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a board ID (lowercase letters, digits, -)');

export const rogueDevice = defineAttack({
  kind: 'rogue-device',
  description: "a board publishes under another board's ID: false readings for the victim's battery or EV",
  schema: z.strictObject({
    kind: z.literal('rogue-device'),
    /** The victim (default: the first home with the device). */
    home: z.string().min(1).optional(),
    device: z.enum(TELEMETRY_DEVICES).default('battery'),
    /** On the table: the rogue's own board ID (a login the hub makes for it while the attack runs). */
    board: BoardIdSchema.default('redteam-rogue'),
    /** On the table: the victim's board, whose Homie tree the rogue publishes into (default: the home's battery board). */
    victimBoard: BoardIdSchema.optional(),
    /** On the table: the victim battery's power the rogue reports, kW (> 0 charging; the table's boards: -5..5). */
    powerKw: z.number().finite().min(-50).max(50).default(5),
    /** On the table: publish into the victim's topics only, or also connect with the victim's client ID. */
    claim: z.enum(['topics', 'client-id']).default('topics'),
  }),
  check: (entry, references, problem, path) => {
    if (entry.home !== undefined && !references.homeIds.includes(entry.home))
      throw problem(`${path}.home`, `a home of the scenario (${references.homeIds.join(', ')})`, entry.home);
  },
  live: (entry, { broker, settings, boardOf }) => {
    if (entry.device !== 'battery')
      throw new Error(`device: on the table the rogue claims a battery board, found "${entry.device}"`);
    const victim =
      entry.victimBoard ?? (entry.home === undefined ? undefined : boardOf(entry.home, 'battery'));
    if (victim === undefined)
      throw new Error('victimBoard: expected the victim battery board (or a home with one), found none');
    const checked = settings.boardIdentityChecked ?? false;
    const topic = `${HOMIE_ROOT}/${victim}/battery/power-kw`;
    const takesId = entry.claim === 'client-id';
    return startRedTeamClient(broker, {
      kind: 'rogue-device',
      board: entry.board,
      rights: checked
        ? { unlimited: false }
        : { unlimited: false, publishUnder: victim, takeClientId: takesId },
      ...(takesId ? { clientId: victim } : {}),
      doing: `publishes ${entry.powerKw} kW as ${victim}'s battery power${takesId ? `, connecting as client ID ${victim}` : ''}; the broker ${checked ? 'checks its identity' : `lets it ${takesId ? 'take the ID and ' : ''}publish under ${victim}`}`,
      everyMs: ROGUE_TICK_MS,
      tick: (client) => {
        client.publish(topic, String(entry.powerKw), { qos: 0 });
        return 1;
      },
    });
  },
  create: (entry, context) => {
    const { device } = entry;
    const { home } = targetStore(entry, context);
    if (context.settings.boardIdentityChecked) {
      context.note(`${entry.board}'s readings as ${home.spec.id}'s ${device}: refused (not its own ID)`);
      return [];
    }
    const key = socKey(device);
    let truthKwh = 0;
    let first = true;
    return [
      {
        before: 'residents',
        participant: {
          name: 'attack:rogue-device',
          step: (frame) => {
            if (first)
              context.note(`${home.spec.id}'s ${device} reads empty from ${stepLabel(context.world, frame)}`);
            first = false;
            truthKwh = home.state[key];
            home.state[key] = 0;
          },
        },
      },
      {
        // The agents planned on the rogue's reading; the physics goes on from the truth.
        after: 'residents',
        participant: {
          name: 'attack:rogue-device:truth',
          step: () => {
            home.state[key] = truthKwh;
          },
        },
      },
    ];
  },
});
