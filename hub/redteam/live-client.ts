/**
 * A live attack's board on the hub's own broker: a real MQTT client with a red-team login (in memory, with
 * only what the operator lifted: hub/broker/red-team-logins.ts) that sends what its attack sends every tick
 * while connected, and reconnects every second when the broker closes it or refuses it. mqtt.js is loaded
 * only when an attack starts: a lone hub does without the MQTT client (test/hub/commands/hub-imports.test.ts).
 */
import type { MqttClient } from 'mqtt';
import type { RedTeamRights } from '../broker/red-team-logins.js';
import type { LiveAttack, RedTeamBroker } from './red-team.js';

export interface RedTeamClientOptions {
  kind: string;
  board: string;
  rights: RedTeamRights;
  /** Its MQTT client ID (default: its board ID). */
  clientId?: string;
  /** What it does, in words (the status). */
  doing: string;
  everyMs: number;
  /** Sends this tick's messages; returns how many. */
  tick(client: MqttClient): number;
}

export function startRedTeamClient(broker: RedTeamBroker, options: RedTeamClientOptions): LiveAttack {
  const login = broker.logins.add(options.board, options.rights);
  let client: MqttClient | undefined;
  let stopped = false;
  let sent = 0;
  let connections = 0;
  const connecting = import('mqtt')
    .then(({ default: mqtt }) => {
      if (stopped) return;
      client = mqtt.connect(broker.url, {
        username: login.username,
        password: login.password,
        clientId: options.clientId ?? login.username,
        reconnectPeriod: 1000,
        // An attacker keeps trying while the broker holds it off (mqtt.js stops at a refused CONNACK otherwise).
        reconnectOnConnackError: true,
        connectTimeout: 5000,
      });
      client.on('connect', () => {
        connections += 1;
      });
      // Refusals are the broker's answers to the attack, counted there (the login's tally).
      client.on('error', () => {});
    })
    .catch((error: Error) => {
      login.tally.lastRefusal = `its MQTT client did not start: ${error.message}`;
    });
  const timer = setInterval(() => {
    if (client?.connected) sent += options.tick(client);
  }, options.everyMs);
  return {
    status: () => ({
      kind: options.kind,
      board: options.board,
      sent,
      accepted: login.tally.accepted,
      underOthers: login.tally.underOthers,
      refused: login.tally.refused,
      connections,
      lastRefusal: login.tally.lastRefusal,
      doing: options.doing,
    }),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      login.remove();
      await connecting;
      await client?.endAsync(true);
    },
  };
}
