// How long a dashboard login takes to answer through a running hub, for an unknown user beside a known user
// with a wrong password (issue 21: 5.5 ms against 46.6 ms told which usernames exist). Each attempt comes
// from its own loopback address (127.0.2.x), under the 5 free failures the back-off allows an address.
// Median of ROUNDS each, interleaved so a busy machine slows both alike; the ratio is what matters (≈1).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROUNDS = 45;
/** Known users, taken in turn: each takes fewer wrong passwords than the 20 free ones of an account. */
const KNOWN_USERS = ['alice', 'bob', 'carol'];
const dataDir = mkdtempSync(join(tmpdir(), 'gridflex-bench-login-'));
for (const username of KNOWN_USERS) {
  const args = ['dist/hub/cli.js', 'user', 'add', username, '--role', 'operator', '--data-dir', dataDir];
  execFileSync(process.execPath, args);
}
const hub = spawn(
  process.execPath,
  [
    'dist/hub/cli.js',
    'hub',
    '--host',
    '127.0.0.1',
    '--mqtt-port',
    '0',
    '--ws-port',
    '0',
    '--http-port',
    '0',
    '--data-dir',
    dataDir,
  ],
  { stdio: ['ignore', 'pipe', 'ignore'] },
);
const httpUrl = await new Promise((resolve) => {
  let out = '';
  hub.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /http=(\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
});

function loginMs(address, username) {
  const body = JSON.stringify({ username, password: 'not-the-password' });
  const startNs = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const call = request(
      `${httpUrl}/api/login`,
      { method: 'POST', localAddress: address, headers: { 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 401) reject(new Error(`expected 401, got ${response.statusCode}`));
          resolve(Number(process.hrtime.bigint() - startNs) / 1e6);
        });
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const unknownMs = [];
const knownMs = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Two attempts per address (one of each), so no address reaches the back-off.
    const address = `127.0.2.${round + 1}`;
    unknownMs.push(await loginMs(address, `nobody-${round}`));
    knownMs.push(await loginMs(address, KNOWN_USERS[round % KNOWN_USERS.length]));
  }
} finally {
  hub.kill('SIGTERM');
}
const unknown = median(unknownMs);
const known = median(knownMs);
console.log(`dashboard login, wrong password, median of ${ROUNDS}:`);
console.log(`  unknown user   ${unknown.toFixed(1)} ms`);
console.log(`  known user     ${known.toFixed(1)} ms`);
console.log(
  `  unknown/known  ${(unknown / known).toFixed(2)} (1.00: the answer's time does not tell who exists)`,
);
await new Promise((resolve) => hub.once('exit', resolve));
rmSync(dataDir, { recursive: true, force: true });
