import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockPackage {
  optional?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, LockPackage>;
};
const packages = lock.packages;

/** Where Node (and npm) finds `name` required from the package at `from`: the nearest node_modules up the tree. */
function resolveFrom(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const index = base.lastIndexOf('/node_modules/');
    base = index < 0 ? '' : base.slice(0, index);
  }
}

/** Each dependency edge of a package: its name and whether it is optional. */
function edges(path: string): [string, boolean][] {
  const entry = packages[path] as LockPackage;
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, false]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ...Object.keys(entry.peerDependencies ?? {}).map((name): [string, boolean] => [
      name,
      entry.peerDependenciesMeta?.[name]?.optional === true,
    ]),
    ...(path === '' ? Object.keys(entry.devDependencies ?? {}) : []).map((name): [string, boolean] => [
      name,
      false,
    ]),
  ];
}

describe('package-lock.json is what npm install writes (a fresh clone leaves it unchanged)', () => {
  it('marks "optional" exactly the packages reached only through optional dependencies, as npm computes it', () => {
    // npm recomputes the flag on every install; a lock whose flag disagrees (semver 5.7.3, needed only by the
    // optional serialport bindings' node-abi 2, once lacked it) is rewritten by the first `npm install`.
    const required = new Set<string>(['']);
    const queue = [''];
    while (queue.length > 0) {
      const at = queue.shift() as string;
      for (const [name, optional] of edges(at)) {
        const to = optional ? undefined : resolveFrom(at, name);
        if (to !== undefined && !required.has(to)) {
          required.add(to);
          queue.push(to);
        }
      }
    }
    const disagreeing = Object.entries(packages)
      .filter(([path, entry]) => path !== '' && !entry.link)
      .filter(([path, entry]) => (entry.optional === true) !== !required.has(path))
      .map(
        ([path, entry]) =>
          `${path}: "optional" is ${entry.optional === true}, npm writes ${!required.has(path)}`,
      );
    expect(disagreeing).toEqual([]);
  });
});
