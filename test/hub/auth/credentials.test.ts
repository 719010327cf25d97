/**
 * How secrets are stored and checked (issue 18): a board's key, 144 random bits made by the hub, is stored as
 * SHA-256 and checked without scrypt; a person's password keeps scrypt; a board added before keeps its scrypt
 * entry and still logs in. Work is counted in scrypt computations (`passwordChecks`), not timed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../hub/auth/credentials.js';
import { tempDir } from '../mqtt-helpers.js';

let data: ReturnType<typeof tempDir>;
afterEach(() => data.remove());

function openStore(): CredentialStore {
  data = tempDir('gridflex-credentials-');
  return CredentialStore.open(data.dir);
}

/** The stored entry of `username` as the file holds it. */
function storedEntry(store: CredentialStore, username: string): Record<string, unknown> {
  const file = JSON.parse(readFileSync(store.file, 'utf8')) as { principals: Record<string, unknown>[] };
  const entry = file.principals.find((principal) => principal.username === username);
  if (!entry) throw new Error(`${username} not in ${store.file}`);
  return entry;
}

/** The scrypt computations `verify` costs, and whether it accepted. */
async function verifyCost(store: CredentialStore, username: string, secret: string) {
  const before = store.passwordChecks;
  const principal = await store.verify(username, secret);
  return { accepted: principal !== null, scrypts: store.passwordChecks - before };
}

describe('credential storage', () => {
  it('stores a board key as SHA-256 and accepts it without scrypt, from the first login', async () => {
    const store = openStore();
    const key = await store.add('pv-1', { role: 'device', deviceId: 'pv-1' });
    expect(Object.keys(storedEntry(store, 'pv-1'))).toContain('sha256');
    expect(storedEntry(store, 'pv-1').scrypt).toBeUndefined();
    // A fresh store, as a hub started after `gridflex device add`: nothing cached.
    const reopened = CredentialStore.open(data.dir);
    expect(await verifyCost(reopened, 'pv-1', key)).toEqual({ accepted: true, scrypts: 0 });
  });

  it('refuses a wrong board key at the cost of an unknown user', async () => {
    const store = openStore();
    const key = await store.add('pv-1', { role: 'device', deviceId: 'pv-1' });
    expect(await verifyCost(store, 'pv-1', `${key}x`)).toEqual({ accepted: false, scrypts: 1 });
    expect(await verifyCost(store, 'pv-2', key)).toEqual({ accepted: false, scrypts: 1 });
    expect(await verifyCost(store, 'pv-1', '')).toEqual({ accepted: false, scrypts: 1 });
  });

  it("keeps scrypt for a person's password", async () => {
    const store = openStore();
    const password = await store.add('ann', { role: 'resident', homeId: 'home-1' });
    expect(storedEntry(store, 'ann').sha256).toBeUndefined();
    expect(storedEntry(store, 'ann').scrypt).toMatchObject({ N: 16_384, r: 8, p: 1 });
    const reopened = CredentialStore.open(data.dir);
    expect(await verifyCost(reopened, 'ann', password)).toEqual({ accepted: true, scrypts: 1 });
    expect(await verifyCost(reopened, 'ann', 'guess')).toEqual({ accepted: false, scrypts: 1 });
  });

  it('still accepts a board whose key was stored with scrypt, and refuses a wrong one', async () => {
    const store = openStore();
    // A scrypt entry made as every key was before, then given to a board.
    const key = await store.add('heat-pump-1', { role: 'operator' });
    const file = JSON.parse(readFileSync(store.file, 'utf8')) as { principals: Record<string, unknown>[] };
    for (const principal of file.principals) principal.role = 'device:heat-pump-1';
    writeFileSync(store.file, JSON.stringify(file));
    const reopened = CredentialStore.open(data.dir);
    expect(reopened.get('heat-pump-1')?.role).toEqual({ role: 'device', deviceId: 'heat-pump-1' });
    expect(await verifyCost(reopened, 'heat-pump-1', key)).toEqual({ accepted: true, scrypts: 1 });
    // Stays scrypt on disk; reconnects in this run are cheap by the cached digest.
    expect(await verifyCost(reopened, 'heat-pump-1', key)).toEqual({ accepted: true, scrypts: 0 });
    expect(await verifyCost(reopened, 'heat-pump-1', 'guess')).toEqual({ accepted: false, scrypts: 1 });
    expect(storedEntry(reopened, 'heat-pump-1').sha256).toBeUndefined();
  });

  it('refuses a file whose entry has neither hash, or a broken one, naming it', async () => {
    const store = openStore();
    await store.add('pv-1', { role: 'device', deviceId: 'pv-1' });
    const file = JSON.parse(readFileSync(store.file, 'utf8')) as { principals: Record<string, unknown>[] };
    for (const principal of file.principals) delete principal.sha256;
    writeFileSync(store.file, JSON.stringify(file));
    expect(() => CredentialStore.open(data.dir)).toThrow(
      /credentials\.json: pv-1.*exactly one of scrypt and sha256/,
    );
    for (const principal of file.principals) principal.sha256 = 'c2hvcnQ=';
    writeFileSync(store.file, JSON.stringify(file));
    expect(() => CredentialStore.open(data.dir)).toThrow(/principals\.0\.sha256.*32-byte SHA-256/);
  });
});
