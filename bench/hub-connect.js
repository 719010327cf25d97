// How long 200 boards take to connect at once to a hub that has just started (issue 18: nothing cached), beside
// Mosquitto 2 on the same credentials in the same run. Boards' keys are stored as SHA-256 (hub/auth/credentials.ts);
// 200 people's passwords, stored with scrypt as every board's key was before, are timed the same way. A fresh
// broker for every round; rounds alternate hub and Mosquitto so the machine's other load falls on both alike.
// The people connect once more (the hub's cached digests). Prints the medians over the rounds and the ratios.
import { loadavg } from 'node:os';
import { CredentialStore } from '../dist/hub/auth/credentials.js';
import { connect, registerBoards, startHub, startMosquitto } from './_mqtt-peers.js';

const CLIENTS = 200;
const ROUNDS = 3;
const SETTLE_MS = 3000;
/** 200 scrypt logins on a loaded machine took up to 30 s, mqtt.js's default. */
const CONNACK_TIMEOUT_MS = 120_000;

/** Connects every client at once; resolves with the wall time until the last CONNACK, in ms. */
async function connectAllMs(url, passwords) {
  const startMs = performance.now();
  const clients = await Promise.all(
    [...passwords].map(([username, password]) =>
      connect(url, { clientId: username, username, password, connectTimeout: CONNACK_TIMEOUT_MS }),
    ),
  );
  const ms = performance.now() - startMs;
  await Promise.all(clients.map((client) => client.endAsync()));
  return ms;
}

/** A fresh broker's first connection of the boards, then of the people, then the people again (cached digests). */
async function round(start, boards, people) {
  const broker = await start();
  if (!broker) return null;
  try {
    // The hub's first steps and cold code run just after it says it is ready: a running hub is measured.
    await new Promise((done) => setTimeout(done, SETTLE_MS));
    await (await connect(broker.url, { clientId: 'connect-warm-up' })).endAsync();
    const boardsMs = await connectAllMs(broker.url, boards);
    const peopleMs = await connectAllMs(broker.url, people);
    return { boardsMs, peopleMs, againMs: await connectAllMs(broker.url, people) };
  } finally {
    await broker.stop();
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const registered = await registerBoards('connect', CLIENTS);
const store = CredentialStore.open(registered.dir);
const people = new Map();
for (let index = 0; index < CLIENTS; index++) {
  const username = `viewer-${index}`;
  people.set(username, await store.add(username, { role: 'viewer' }));
}
const peers = [
  ['hub (Aedes)', () => startHub(registered.dir)],
  ['mosquitto', () => startMosquitto(registered.dir)],
];
const results = new Map(peers.map(([name]) => [name, []]));
try {
  for (let index = 0; index < ROUNDS; index++) {
    for (const [name, start] of peers) {
      const result = await round(start, registered.passwords, people);
      if (result) results.get(name).push(result);
    }
  }
  const medians = new Map();
  for (const [name, rounds] of results) {
    if (rounds.length === 0) {
      console.log(`${name}: not installed (apt-get install mosquitto), no peer to compare with`);
      continue;
    }
    const boardsMs = median(rounds.map((result) => result.boardsMs));
    const peopleMs = median(rounds.map((result) => result.peopleMs));
    const againMs = median(rounds.map((result) => result.againMs));
    medians.set(name, { boardsMs, peopleMs, againMs });
    console.log(
      `${name.padEnd(12)} first connect of ${CLIENTS} boards ${boardsMs.toFixed(0)} ms (rounds ${rounds.map((result) => result.boardsMs.toFixed(0)).join(', ')}), of ${CLIENTS} people ${peopleMs.toFixed(0)} ms (rounds ${rounds.map((result) => result.peopleMs.toFixed(0)).join(', ')}), people again ${againMs.toFixed(0)} ms`,
    );
  }
  const hub = medians.get('hub (Aedes)');
  const peer = medians.get('mosquitto');
  if (hub && peer) {
    console.log(
      `hub / mosquitto: boards ${(hub.boardsMs / peer.boardsMs).toFixed(1)}x, people ${(hub.peopleMs / peer.peopleMs).toFixed(1)}x, people again ${(hub.againMs / peer.againMs).toFixed(1)}x`,
    );
  }
  console.log(
    `loopback, ${ROUNDS} rounds each, medians; boards: SHA-256 keys, people: scrypt (N=2^14, r=8, p=1) on the hub, PBKDF2-SHA512 x101 on Mosquitto; load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
} finally {
  registered.remove();
}
