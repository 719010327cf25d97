import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type AuditEntry,
  type Clock,
  type LiveRedTeam,
  LiveRedTeamSchema,
} from '../../../protocol/gridflex.js';
import { connectClient, nextMessage, tempDir, watchHubUntilAllOnline } from '../mqtt-helpers.js';
import { addUser, type HubProcess, startHub, writeLiveMap } from './hub-process.js';

export const RED_TEAM = 'gridflex/control/v1/table/red-team';
const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

/** What a red-team test on a live hub needs: its hub, a viewer watching every topic, and the users' secrets. */
export interface LiveTable {
  hub: HubProcess;
  viewer: MqttClient;
  secrets: Record<string, string>;
}

/** Options of {@link redTeamHub}. */
export interface RedTeamHubOptions {
  /** Names the temp dir and the viewer's client ID. */
  name: string;
  /** Each user's name and role. */
  users: readonly (readonly [string, string])[];
  /** Writes the table map into the data dir (default: the demo table under selfish from 22:00). */
  map?: (dir: string) => string;
  /** The hub's flags beyond --demo, --scenario and --data-dir. */
  hubArgs: readonly string[];
}

/**
 * A real hub on the demo table for a red-team test, started in beforeAll (its users added, a viewer watching
 * every topic until every board is online) and stopped in afterAll with its temp data dir; with the steps of
 * {@link redTeamTable} on it. `table`'s fields are set once the hub has started.
 */
export function redTeamHub(options: RedTeamHubOptions) {
  const data = tempDir(`gridflex-${options.name}-`);
  const table = { secrets: {} } as LiveTable;
  beforeAll(async () => {
    for (const [username, role] of options.users) table.secrets[username] = addUser(data.dir, username, role);
    const map =
      options.map?.(data.dir) ?? writeLiveMap(data.dir, { policy: 'selfish' }, '2026-01-15T22:00:00Z');
    table.hub = await startHub(['--demo', '--scenario', map, '--data-dir', data.dir, ...options.hubArgs]);
    table.viewer = await connectClient(table.hub.mqttUrl, { clientId: `${options.name}-viewer` });
    await watchHubUntilAllOnline(table.viewer);
  }, 60_000);
  afterAll(async () => {
    table.viewer?.end(true);
    await table.hub?.stop();
    data.remove();
  });
  return { table, ...redTeamTable(() => table) };
}

/**
 * The steps the live red-team tests take on a hub: log in, publish as a user, await an audit entry or the red
 * team's status, the operator's word, clock jumps. `table` is read at each call (the hub starts in beforeAll).
 */
export function redTeamTable(table: () => LiveTable) {
  function login(username: string): Promise<MqttClient> {
    return connectClient(table().hub.mqttUrl, {
      clientId: `${username}-${Math.random().toString(16).slice(2, 8)}`,
      username,
      password: table().secrets[username],
    });
  }

  async function publishAs(username: string, topic: string, body: unknown): Promise<void> {
    const client = await login(username);
    await client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
    client.end();
  }

  function audit(test: (entry: AuditEntry) => boolean): Promise<AuditEntry> {
    return nextMessage(
      table().viewer,
      (topic) => topic === 'gridflex/v1/audit',
      (payload) => test(json<AuditEntry>(payload)),
    ).then(({ payload }) => json<AuditEntry>(payload));
  }

  /** The red team's status at the first step whose simulated time is `iso` or later. */
  function redTeamAt(iso: string): Promise<LiveRedTeam> {
    const clockReached = nextMessage(
      table().viewer,
      (topic) => topic === 'gridflex/v1/clock',
      (payload) => json<Clock>(payload).simTime >= iso,
    );
    return clockReached.then(() =>
      nextMessage(table().viewer, (topic) => topic === 'gridflex/v1/live/red-team').then(({ payload }) =>
        LiveRedTeamSchema.parse(json(payload)),
      ),
    );
  }

  async function operatorSends(body: unknown, requestId: string): Promise<AuditEntry> {
    const answered = audit((entry) => entry.requestId === requestId);
    await publishAs('table-op', RED_TEAM, { ...(body as object), requestId });
    return answered;
  }

  async function jumpTo(iso: string): Promise<void> {
    const jumped = audit((entry) => entry.action === 'clock' && entry.reason.startsWith('jumped'));
    await publishAs('table-op', 'gridflex/control/v1/clock', { action: 'jump', to: iso });
    expect((await jumped).accepted).toBe(true);
  }

  /** A function giving the ISO time of `HH:MM` on the day after the table's clock now. */
  async function tomorrowAt(): Promise<(time: string) => string> {
    const clock = json<Clock>(
      (await nextMessage(table().viewer, (topic) => topic === 'gridflex/v1/clock')).payload,
    );
    const day = new Date(`${clock.simTime.slice(0, 10)}T00:00:00.000Z`);
    day.setUTCDate(day.getUTCDate() + 1);
    return (time) => `${day.toISOString().slice(0, 10)}T${time}:00.000Z`;
  }

  return { login, publishAs, audit, redTeamAt, operatorSends, jumpTo, tomorrowAt };
}
