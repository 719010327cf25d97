/**
 * Password guessing on the dashboard and on MQTT (issue 21). Before: one global brake on dashboard logins
 * (5/s, burst 20), so one guesser locked every user out, and an unknown user was answered without the
 * password work a known one costs. Now: back-off per account and per address; the same scrypt for all.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../hub/auth/credentials.js';
import { serveHttp } from '../../hub/mcp/mcp-server.js';
import { addDevice, addUser, type HubProcess, startHub } from '../hub/live/hub-process.js';
import { connectClient, tempDir } from '../hub/mqtt-helpers.js';

const data = tempDir('gridflex-hostile-login-');
let hub: HubProcess;
const passwords: Record<string, string> = {};

/** POST /api/login from a given loopback address (all of 127.0.0.0/8 reaches the hub on 127.0.0.1). */
function logInFrom(address: string, username: string, password: string): Promise<number> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const call = request(
      `${hub.httpUrl}/api/login`,
      { method: 'POST', localAddress: address, headers: { 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

beforeAll(async () => {
  passwords.facilitator = addUser(data.dir, 'facilitator', 'operator');
  passwords.ann = addUser(data.dir, 'ann', 'resident:home-1');
  passwords.bo = addUser(data.dir, 'bo', 'resident:home-2');
  hub = await startHub(['--data-dir', data.dir]);
  passwords.pad = addDevice(data.dir, 'pad-9', 'ev-pad', 'plot-1', hub.mqttUrl).password;
});

afterAll(async () => {
  await hub?.stop();
  data.remove();
});

describe('dashboard login under guessing', () => {
  it("holds the guessing address, not the other users, nor the guessed account's owner elsewhere", async () => {
    const answers: number[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      answers.push(await logInFrom('127.0.0.2', 'facilitator', `guess-${attempt}`));
    }
    // Five free failures, then held (429) without a password check.
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(answers.slice(5))).toEqual(new Set([429]));
    // Even the right password waits at the guessing address …
    expect(await logInFrom('127.0.0.2', 'facilitator', passwords.facilitator as string)).toBe(429);
    // … while another user, and the guessed account's owner at their own address, log in at once.
    expect(await logInFrom('127.0.0.3', 'ann', passwords.ann as string)).toBe(200);
    expect(await logInFrom('127.0.0.4', 'facilitator', passwords.facilitator as string)).toBe(200);
    await hub.logLine(/dashboard login held for "facilitator" from 127\.0\.0\.2: too many failures/);
  });

  it('holds an address trying many usernames', async () => {
    const answers: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      answers.push(await logInFrom('127.0.0.5', `user-${attempt}`, 'password'));
    }
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(answers.slice(5))).toEqual(new Set([429]));
    expect(await logInFrom('127.0.0.6', 'ann', passwords.ann as string)).toBe(200);
  });

  it("holds an account guessed from many addresses, whatever each address's count", async () => {
    // Four failures from each of six addresses: no address is held, the account (20 free) is.
    const answers: number[] = [];
    for (let host = 10; host < 16; host++) {
      for (let attempt = 0; attempt < 4; attempt++)
        answers.push(await logInFrom(`127.0.1.${host}`, 'ann', 'x'));
    }
    expect(answers.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(new Set(answers.slice(20))).toEqual(new Set([429]));
    expect(await logInFrom('127.0.0.7', 'facilitator', passwords.facilitator as string)).toBe(200);
  });
});

/** An MQTT login's answer: 'accepted' or the broker's refusal. */
async function mqttLogin(username: string, password: string): Promise<string> {
  return connectClient(hub.mqttUrl, {
    clientId: `${username}-${password.slice(0, 6)}`,
    username,
    password,
  }).then(
    (client) => {
      client.end(true);
      return 'accepted';
    },
    (error: Error) => error.message,
  );
}

describe('MQTT login under guessing', () => {
  it("does not count a page's ended session token (never a password) as a guess", async () => {
    // A page left open after logout keeps reconnecting with its session's token.
    const ended = 'A'.repeat(43);
    for (let attempt = 0; attempt < 25; attempt++) {
      expect(await mqttLogin('bo', ended)).toMatch(/Bad username or password/);
    }
    expect(await mqttLogin('bo', passwords.bo as string)).toBe('accepted');
  });

  it("holds a board's username guessed from one address", async () => {
    const refusals: string[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const connecting = connectClient(hub.mqttUrl, {
        clientId: 'pad-9',
        username: 'pad-9',
        password: `guess-${attempt}`,
      });
      refusals.push(
        await connecting.then(
          (client) => {
            client.end(true);
            return 'accepted';
          },
          (error: Error) => error.message,
        ),
      );
    }
    expect(refusals.slice(0, 5).every((message) => /Bad username or password/.test(message))).toBe(true);
    expect(refusals.slice(5).every((message) => /Server unavailable/.test(message))).toBe(true);
    await hub.logLine(/too many failed logins: wait \d+ s/);
  });
});

describe('gridflex mcp over HTTP under guessing', () => {
  it("holds the guessing address for new sessions, as the dashboard's login does", async () => {
    const mcp = await serveHttp(
      { brokerUrl: hub.mqttUrl, dataDir: data.dir, callsPerMinute: 60, log: () => {} },
      '127.0.0.1',
      0,
    );
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 8; attempt++) {
        const basic = Buffer.from(`ann:guess-${attempt}`).toString('base64');
        const answer = await fetch(mcp.url, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}` },
          body: '{}',
        });
        statuses.push(answer.status);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    } finally {
      await mcp.close();
    }
  });
});

describe('password checks', () => {
  it('cost one scrypt for an unknown user, as for a wrong password of a known one', async () => {
    const store = CredentialStore.open(tempDir('gridflex-hostile-store-').dir);
    const secret = await store.add('bob', { role: 'operator' });
    const checks = async (username: string, password: string) => {
      const before = store.passwordChecks;
      await store.verify(username, password);
      return store.passwordChecks - before;
    };
    expect(await checks('nobody', 'guess')).toBe(1);
    expect(await checks('bob', 'guess')).toBe(1);
    expect(await checks('bob', secret)).toBe(1);
    // A right secret seen before is cheap (its digest); a wrong one is not, once bob has logged in.
    expect(await checks('bob', secret)).toBe(0);
    expect(await checks('bob', 'guess')).toBe(1);
    expect(await checks('nobody', 'guess')).toBe(1);
  });
});
