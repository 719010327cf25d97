import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import {
  type AuditEntry,
  type Clock,
  type LiveRedTeam,
  LiveRedTeamSchema,
} from '../../../protocol/gridflex.js';
import { connectClient, nextMessage } from '../mqtt-helpers.js';
import type { HubProcess } from './hub-process.js';

export const RED_TEAM = 'gridflex/control/v1/table/red-team';
const json = <T>(payload: Buffer) => JSON.parse(payload.toString()) as T;

/** What a red-team test on a live hub needs: its hub, a viewer watching every topic, and the users' secrets. */
export interface LiveTable {
  hub: HubProcess;
  viewer: MqttClient;
  secrets: Record<string, string>;
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
