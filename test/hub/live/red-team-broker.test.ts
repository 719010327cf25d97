import { describe, expect, it } from 'vitest';
import { type LiveRedTeam, LiveRedTeamSchema, type TableMap } from '../../../protocol/gridflex.js';
import { nextMessage } from '../mqtt-helpers.js';
import { redTeamHub } from './red-team-table.js';

/** The flooding client and the rogue device as real MQTT clients inside a real hub, against its own broker. */
const { table, operatorSends } = redTeamHub({
  name: 'red-team-broker',
  users: [['table-op', 'operator']],
  // A burst of 500 messages: the flood goes over it within a second.
  hubArgs: ['--step-ms', '100', '--rate-limit', '50'],
});
/** A battery power no demo board reports: the rogue's. */
const ROGUE_KW = 4.321;

/** The first red-team status whose live client passes `test`. */
async function clientUntil(test: (client: LiveRedTeam['clients'][number]) => boolean) {
  const { payload } = await nextMessage(
    table.viewer,
    (topic) => topic === 'gridflex/v1/live/red-team',
    (body) => {
      const client = LiveRedTeamSchema.parse(JSON.parse(body.toString())).clients[0];
      return client !== undefined && test(client);
    },
  );
  return LiveRedTeamSchema.parse(JSON.parse(payload.toString())).clients[0] as LiveRedTeam['clients'][number];
}

async function battery(): Promise<TableMap['assets'][number] | undefined> {
  const state = (await (await fetch(`${table.hub.httpUrl}/api/state`)).json()) as { table: TableMap };
  return state.table.assets.find((asset) => asset.asset === 'battery-1');
}

async function batteryPowerKw(): Promise<number | undefined> {
  return (await battery())?.pKw;
}

/** Polls the table until battery-1 is online (or not), at most `polls` times. */
async function batteryOnline(online: boolean, polls: number): Promise<boolean | undefined> {
  let seen: boolean | undefined;
  for (let poll = 0; poll < polls && seen !== online; poll++) {
    seen = (await battery())?.online;
    if (seen !== online) await new Promise((done) => setTimeout(done, 250));
  }
  return seen;
}

async function switchTo(body: object, requestId: string): Promise<void> {
  const answer = await operatorSends(body, requestId);
  expect(answer.accepted, answer.reason).toBe(true);
}

describe('the broker attacks on the live table', () => {
  it('a flooding client is held off by the rate limit; without the defence the broker takes all it sends', async () => {
    const flood = { kind: 'flooding-client', messagesPerSecond: 1000 };
    await switchTo({ attacks: [flood], defences: [{ kind: 'rate-limit' }] }, 'flood-limited');
    const limited = await clientUntil((client) => client.refused >= 2 && client.connections >= 1);
    expect(limited).toMatchObject({ kind: 'flooding-client', board: 'redteam-flood', underOthers: 0 });
    expect(limited.lastRefusal).toMatch(/^rate-limited: /);
    // Its burst (500) and a second's worth a connection at most, while it sent more.
    expect(limited.accepted).toBeLessThan(1500);

    await switchTo({ attacks: [flood], defences: [] }, 'flood-unlimited');
    const unlimited = await clientUntil((client) => client.accepted >= 3000);
    expect(unlimited.refused).toBe(0);
    expect(unlimited.doing).toMatch(/rate limit is lifted for it/);
  }, 45_000);

  it("a rogue board's readings under the victim's ID are refused by the identity check; without it the hub takes them", async () => {
    const rogue = { kind: 'rogue-device', home: 'home-5', powerKw: ROGUE_KW };
    await switchTo({ attacks: [rogue], defences: [{ kind: 'identity-check' }] }, 'rogue-checked');
    const checked = await clientUntil((client) => client.refused >= 3);
    expect(checked).toMatchObject({ kind: 'rogue-device', board: 'redteam-rogue', underOthers: 0 });
    expect(checked.lastRefusal).toBe('denied-publish: device:redteam-rogue may not publish here');
    expect(await batteryPowerKw()).not.toBe(ROGUE_KW);

    await switchTo({ attacks: [rogue], defences: [] }, 'rogue-unchecked');
    const unchecked = await clientUntil((client) => client.underOthers >= 8);
    expect(unchecked.refused).toBe(0);
    expect(unchecked.doing).toMatch(/lets it publish under battery-1/);
    // The rogue repeats its reading four times a second, the battery's own board once: the hub takes its value.
    let seenKw: number | undefined;
    for (let poll = 0; poll < 40 && seenKw !== ROGUE_KW; poll++) {
      seenKw = await batteryPowerKw();
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(seenKw).toBe(ROGUE_KW);

    await switchTo({ attacks: [], defences: [] }, 'rogue-off');
    const { payload } = await nextMessage(
      table.viewer,
      (topic) => topic === 'gridflex/v1/live/red-team',
      (body) => LiveRedTeamSchema.parse(JSON.parse(body.toString())).attacks.length === 0,
    );
    expect(LiveRedTeamSchema.parse(JSON.parse(payload.toString())).clients).toEqual([]);
  }, 45_000);

  it("a rogue claiming the victim's client ID is refused under the identity check; without it the victim board is locked out", async () => {
    const rogue = { kind: 'rogue-device', home: 'home-5', powerKw: ROGUE_KW, claim: 'client-id' };
    await switchTo({ attacks: [rogue], defences: [{ kind: 'identity-check' }] }, 'claim-checked');
    const checked = await clientUntil((client) => client.refused >= 2);
    expect(checked).toMatchObject({ connections: 0, accepted: 0 });
    expect(checked.lastRefusal).toBe('refused-connection: client ID "battery-1" is reserved for that user');
    expect(await batteryOnline(true, 1)).toBe(true);

    await switchTo({ attacks: [rogue], defences: [] }, 'claim-unchecked');
    const unchecked = await clientUntil((client) => client.connections >= 1 && client.underOthers >= 4);
    expect(unchecked.doing).toMatch(/connecting as client ID battery-1/);
    // The rogue took the board's connection over; the board, reconnecting, is refused while the rogue holds it.
    expect(await batteryOnline(false, 40)).toBe(false);

    await switchTo({ attacks: [], defences: [] }, 'claim-off');
    expect(await batteryOnline(true, 160)).toBe(true);
  }, 60_000);
});
