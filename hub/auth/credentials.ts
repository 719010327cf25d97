import { createHash, pbkdf2Sync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { LoginGuard } from './login-guard.js';
import { formatRole, parseRole, type Role } from './roles.js';

/** scrypt cost (N = 2^14, r = 8, p = 1: the interactive-login parameters of the scrypt paper). */
const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32 } as const;
/** Mosquitto 2's `$7$` password hash: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, 64-byte key. */
const MOSQUITTO_PBKDF2 = { iterations: 101, saltBytes: 12, keyLength: 64 } as const;

const PrincipalSchema = z.strictObject({
  username: z.string().min(1).max(128),
  role: z.string(),
  /** A person's password (and a board's key added before `sha256`): slow, as a person's password may be weak. */
  scrypt: z
    .strictObject({ salt: z.string(), hash: z.string(), N: z.number(), r: z.number(), p: z.number() })
    .optional(),
  /** A machine's key (board, hub): SHA-256 of 144 random bits, which no slow hash would make harder to guess. */
  sha256: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'expected the base64 of a 32-byte SHA-256')
    .optional(),
  /** The same secret hashed for an external Mosquitto's password file. */
  mosquittoHash: z.string().regex(/^\$7\$/),
  createdAt: z.string(),
});

const CredentialsFileSchema = z.strictObject({
  version: z.literal(1),
  principals: z.array(PrincipalSchema),
});

type StoredPrincipal = z.infer<typeof PrincipalSchema>;

/** A registered client: its username, what it may do, and its secret's hashes. */
export interface Principal {
  username: string;
  role: Role;
  mosquittoHash: string;
}

/** The credentials file's name inside the data dir. */
export const CREDENTIALS_FILE = 'credentials.json';

/**
 * Usernames, roles and hashed secrets of everything that may connect, kept in `<dataDir>/credentials.json`
 * (mode 0600, written atomically). Plain secrets are never stored; they are returned once, when created.
 */
export class CredentialStore {
  private readonly principals = new Map<string, StoredPrincipal>();
  /** Secrets already checked with scrypt this run (username → SHA-256), so reconnects stay cheap. */
  private readonly verifiedDigests = new Map<string, Buffer>();
  /** Modification time of the file when it was last read (NaN: it did not exist). */
  private loadedMtimeMs = Number.NaN;
  /** Failed logins per account and per address, shared by every way in (dashboard, MQTT). */
  readonly guard = new LoginGuard();
  /** scrypt computations so far: the work the login back-off bounds (one per refusal and per first right scrypt secret). */
  passwordChecks = 0;

  private constructor(readonly file: string) {}

  /** Opens the store in `dataDir` (an empty store when the file does not exist yet). */
  static open(dataDir: string): CredentialStore {
    const store = new CredentialStore(join(dataDir, CREDENTIALS_FILE));
    store.readFile();
    return store;
  }

  /**
   * Reads the file again if another process (`gridflex device add`) changed it since it was read.
   * Returns whether anything was reloaded. A broken file keeps the credentials already loaded.
   */
  reloadIfChanged(): boolean {
    const mtimeMs = fileMtimeMs(this.file);
    if (mtimeMs === this.loadedMtimeMs) return false;
    try {
      this.readFile();
      return true;
    } catch {
      return false;
    }
  }

  private readFile(): void {
    const mtimeMs = fileMtimeMs(this.file);
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(this.file, 'not readable');
    }
    const loaded = new Map<string, StoredPrincipal>();
    if (text !== undefined) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new InputError(
          this.file,
          'not valid JSON (restore it from a backup, or delete it and add the devices again)',
        );
      }
      const parsed = CredentialsFileSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(`${this.file}: ${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
      }
      for (const principal of parsed.data.principals) {
        parseRole(principal.role, `${this.file}: ${principal.username}.role`);
        if ((principal.scrypt === undefined) === (principal.sha256 === undefined)) {
          throw new InputError(
            `${this.file}: ${principal.username}`,
            'needs exactly one of scrypt and sha256',
          );
        }
        loaded.set(principal.username, principal);
      }
    }
    this.principals.clear();
    for (const [username, principal] of loaded) this.principals.set(username, principal);
    this.verifiedDigests.clear();
    this.loadedMtimeMs = mtimeMs;
  }

  get size(): number {
    return this.principals.size;
  }

  has(username: string): boolean {
    return this.principals.has(username);
  }

  get(username: string): Principal | undefined {
    const stored = this.principals.get(username);
    return stored && toPrincipal(stored);
  }

  list(): Principal[] {
    return [...this.principals.values()].map(toPrincipal);
  }

  /**
   * Registers `username` with `role` and a fresh random secret (or replaces its secret), saves the file,
   * and returns the plain secret: the only time it exists outside the client's own config.
   */
  async add(username: string, role: Role, createdAt = new Date()): Promise<string> {
    const secret = randomBytes(SECRET_BYTES).toString('base64url');
    const mosquittoSalt = randomBytes(MOSQUITTO_PBKDF2.saltBytes);
    const mosquittoKey = pbkdf2Sync(
      secret,
      mosquittoSalt,
      MOSQUITTO_PBKDF2.iterations,
      MOSQUITTO_PBKDF2.keyLength,
      'sha512',
    );
    this.principals.set(username, {
      username,
      role: formatRole(role),
      ...(isMachine(role)
        ? { sha256: sha256(secret).toString('base64') }
        : { scrypt: await scryptEntry(secret) }),
      mosquittoHash: `$7$${MOSQUITTO_PBKDF2.iterations}$${mosquittoSalt.toString('base64')}$${mosquittoKey.toString('base64')}`,
      createdAt: createdAt.toISOString(),
    });
    this.verifiedDigests.delete(username);
    this.save();
    return secret;
  }

  /** Removes a principal; returns whether it existed. */
  remove(username: string): boolean {
    const existed = this.principals.delete(username);
    this.verifiedDigests.delete(username);
    if (existed) this.save();
    return existed;
  }

  /**
   * The principal when `secret` is right for `username`, otherwise null. Constant-time comparisons, and the
   * same work for every refusal: a wrong secret (a board's or a person's) or an unknown user costs one
   * scrypt, so the time taken does not tell which usernames exist. Only a right secret is cheaper: a
   * machine's key stored as SHA-256 at once, a scrypt-stored secret once seen in this run (its cached digest).
   */
  async verify(username: string, secret: Buffer | string): Promise<Principal | null> {
    const stored = this.principals.get(username);
    const secretBuffer = typeof secret === 'string' ? Buffer.from(secret) : secret;
    const digest = sha256(secretBuffer);
    const known =
      stored?.sha256 !== undefined
        ? Buffer.from(stored.sha256, 'base64')
        : this.verifiedDigests.get(username);
    if (stored && known && timingSafeEqual(known, digest)) return toPrincipal(stored);
    // A wrong key of a SHA-256 entry is padded to an unknown user's cost.
    const hashed = stored?.scrypt ?? UNKNOWN_USER_HASH;
    const expected = Buffer.from(hashed.hash, 'base64');
    this.passwordChecks++;
    const actual = await scryptAsync(secretBuffer, Buffer.from(hashed.salt, 'base64'), hashed);
    if (!stored || actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
    this.verifiedDigests.set(username, digest);
    return toPrincipal(stored);
  }

  /**
   * A login by password from `address` (an IP address), under the back-off of {@link LoginGuard}: held
   * (with how long to wait) before any password work while the account or the address must wait.
   */
  async login(username: string, secret: Buffer | string, address: string): Promise<LoginOutcome> {
    const waitMs = this.guard.waitMs(username, address);
    if (waitMs > 0) return { outcome: 'held', waitMs };
    // A page still using an ended session's token is not guessing: refused, but not counted against anyone.
    if (SESSION_TOKEN.test(secret.toString())) return { outcome: 'refused' };
    const principal = await this.verify(username, secret);
    if (!principal) {
      this.guard.failed(username, address);
      return { outcome: 'refused' };
    }
    this.guard.succeeded(username);
    return { outcome: 'accepted', principal };
  }

  /** Writes the file atomically (temp file + rename) so a crash never leaves half a file. */
  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const body = { version: 1, principals: [...this.principals.values()] };
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.file);
    this.loadedMtimeMs = fileMtimeMs(this.file);
  }
}

const SCRYPT_PARAMS = { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p };

/** A secret's random bytes: 144 bits, past the 128 that make a fast hash of it as strong as a slow one. */
const SECRET_BYTES = 18;

/** Boards and the hub: their keys live in configs, never typed or chosen by a person. */
function isMachine(role: Role): boolean {
  return role.role === 'device' || role.role === 'hub';
}

function sha256(secret: Buffer | string): Buffer {
  return createHash('sha256').update(secret).digest();
}

async function scryptEntry(secret: string): Promise<NonNullable<StoredPrincipal['scrypt']>> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt);
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), ...SCRYPT_PARAMS };
}

/**
 * Dashboard session tokens: 32 random bytes in base64url (hub/dashboard/sessions.ts), which a page also uses
 * as its MQTT password. Never a password (secrets are 18 bytes, 24 characters).
 */
export const SESSION_TOKEN_BYTES = 32;
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What an unknown user's secret is checked against: a random hash no secret matches, at the same cost. */
const UNKNOWN_USER_HASH = {
  salt: randomBytes(16).toString('base64'),
  hash: randomBytes(SCRYPT.keyLength).toString('base64'),
  ...SCRYPT_PARAMS,
};

/** The answer to {@link CredentialStore.login}. */
export type LoginOutcome =
  | { outcome: 'accepted'; principal: Principal }
  | { outcome: 'refused' }
  | { outcome: 'held'; waitMs: number };

function fileMtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

function toPrincipal(stored: StoredPrincipal): Principal {
  return {
    username: stored.username,
    role: parseRole(stored.role, stored.username),
    mosquittoHash: stored.mosquittoHash,
  };
}

function scryptAsync(
  secret: Buffer | string,
  salt: Buffer,
  params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, SCRYPT.keyLength, { N: params.N, r: params.r, p: params.p }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
