/**
 * Reading a scenario file: YAML → zod validation → the resolved street. Every problem becomes an
 * InputError naming the file, the path inside it, what was expected and what was found.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { type FeederNetwork, loadFeeder } from '../feeder/index.js';
import { DEFAULT_TARIFF_CATALOGUE, loadTariffCatalogue } from '../market/load-catalogue.js';
import { resolveMarketModule } from '../market/modules.js';
import { parseYamlInput, readInputFile } from '../read-input.js';
import { resolveScenario, type Scenario } from './resolve.js';
import { ScenarioFileSchema } from './schema.js';
import { isInsideRoots, uploadPathRoots } from './uploads.js';

/** The repository root (works from the sources and from dist/). */
export const REPO_ROOT = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url),
);

export interface LoadedScenario {
  scenario: Scenario;
  feeder: FeederNetwork;
}

/** Reads, validates and resolves a scenario file; loads its feeder. Throws InputError. */
export function loadScenario(file: string): LoadedScenario {
  const text = readInputFile(file, 'scenario file');
  return parseScenario(text, file);
}

/** As {@link loadScenario} for text already read; `file` names it and anchors relative paths. */
export function parseScenario(text: string, file: string): LoadedScenario {
  const raw = parseYamlInput(text, file);
  const parsed = ScenarioFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(file, parsed.error.issues.map((issue) => describeIssue(issue, raw)).join('; '));
  }
  const data = parsed.data;
  const problem = (path: string, expected: string, found: unknown) =>
    new InputError(file, `${path}: expected ${expected}, found ${show(found)}`);
  const feederDir = locate(data.feeder, file, 'feeder', problem);
  const yearFile = data.year !== undefined ? locate(data.year, file, 'year', problem) : undefined;
  const catalogueFile =
    data.market.catalogue !== undefined
      ? locate(data.market.catalogue, file, 'market.catalogue', problem)
      : DEFAULT_TARIFF_CATALOGUE;
  const feeder = withContext(file, 'feeder', () => loadFeeder(feederDir));
  const catalogue = withContext(file, 'market.catalogue', () => loadTariffCatalogue(catalogueFile));
  const scenario = resolveScenario(
    data,
    { file, feederDir, ...(yearFile !== undefined ? { yearFile } : {}) },
    feeder,
    catalogue,
    problem,
  );
  scenario.marketModule = resolveMarketModule(data.market.module, {
    file,
    feeder,
    homeIds: scenario.homes.map((home) => home.spec.id),
    locate: (path, key) => locate(path, file, key, problem),
    problem,
  });
  return { scenario, feeder };
}

/** Runs a loader, prefixing its input errors with the scenario file and key that led to it. */
function withContext<T>(file: string, key: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${file}: ${key}`, error.message);
    throw error;
  }
}

/**
 * A path relative to the scenario's folder, else to the repository root, else to the shipped scenarios/ folder:
 * a shipped scenario's `data/…` paths still resolve when the file is a copy elsewhere (a dashboard upload is kept
 * in the data dir), so every shipped scenario uploads and runs as is.
 */
function locate(
  path: string,
  file: string,
  key: string,
  problem: (path: string, expected: string, found: unknown) => Error,
): string {
  const roots = uploadPathRoots(file, REPO_ROOT);
  const allowed = (candidate: string) => existsSync(candidate) && (!roots || isInsideRoots(candidate, roots));
  if (isAbsolute(path)) {
    if (allowed(path)) return path;
  } else {
    for (const base of [dirname(resolve(file)), REPO_ROOT, join(REPO_ROOT, 'scenarios')]) {
      const candidate = resolve(base, path);
      if (allowed(candidate)) return candidate;
    }
  }
  if (roots) {
    throw problem(
      key,
      "a path inside the shipped scenarios/ or feeders/ folders or this hub's saved streets (an uploaded scenario reads no other file)",
      path,
    );
  }
  throw problem(
    key,
    'a path that exists (relative to the scenario file, the repository root or its scenarios/ folder)',
    path,
  );
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, prefix: PropertyKey[] = []): string {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch that got furthest into the value (e.g. the object form of an asset entry).
    const deepest = [...issue.errors].sort(
      (a, b) => Math.max(0, ...b.map((i) => i.path.length)) - Math.max(0, ...a.map((i) => i.path.length)),
    )[0];
    if (deepest?.some((inner) => inner.path.length > 0)) {
      return deepest.map((inner) => describeIssue(inner, raw, path)).join('; ');
    }
  }
  const where = path.length > 0 ? path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${where}: expected only known keys, found unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  }
  const found = valueAt(raw, path);
  const expected = /expected (.*?)(?:, received .*)?$/.exec(issue.message)?.[1] ?? issue.message;
  return `${where}: expected ${expected}, found ${found === undefined ? 'nothing' : show(found)}`;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
