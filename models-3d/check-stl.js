#!/usr/bin/env node
// Checks every rendered part: admesh must find a clean, closed mesh in one piece, and the part must fit a
// 220 x 220 x 250 mm print bed standing on it (z from 0). Prints one line per part, optionally writes the
// measured sizes to a CSV, and exits 1 if any part fails.
//   node models-3d/check-stl.js [DIR=models-3d/stl] [--csv FILE]
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Print bed, mm. A part may be turned on the bed, so x and y are compared either way round. */
export const BED_MM = { x: 220, y: 220, z: 250 };

/** Every part is one solid: no internal voids or loose pieces. */
const EXPECTED_PARTS = 1;

// admesh repairs a mesh as it reads it; any of these being non-zero means the file as written was not clean.
const REPAIR_FIELDS = {
  degenerateFacets: 'Degenerate facets',
  edgesFixed: 'Edges fixed',
  facetsRemoved: 'Facets removed',
  facetsAdded: 'Facets added',
  facetsReversed: 'Facets reversed',
  backwardsEdges: 'Backwards edges',
  normalsFixed: 'Normals fixed',
};

function field(text, label, pattern) {
  const match = text.match(pattern);
  if (!match) throw new Error(`admesh output has no "${label}" line`);
  return match.slice(1).map(Number);
}

/** Parses admesh's report (version 0.98) into numbers. Throws if a line it needs is missing. */
export function parseAdmeshReport(text) {
  const num = '(-?[0-9.]+(?:e[-+]?[0-9]+)?)';
  const axis = (a) => field(text, `Min ${a}`, new RegExp(`Min ${a} = +${num}, Max ${a} = +${num}`));
  const [minX, maxX] = axis('X');
  const [minY, maxY] = axis('Y');
  const [minZ, maxZ] = axis('Z');
  const pair = (label) => field(text, label, new RegExp(`${label} +: +(\\d+) +(\\d+)`));
  const report = {
    min: { x: minX, y: minY, z: minZ },
    size: { x: maxX - minX, y: maxY - minY, z: maxZ - minZ },
    facets: pair('Number of facets'),
    disconnectedFacets: pair('Total disconnected facets'),
    parts: field(text, 'Number of parts', /Number of parts +: +(\d+)/)[0],
    volumeMm3: field(text, 'Volume', new RegExp(`Volume +: +${num}`))[0],
  };
  for (const [key, label] of Object.entries(REPAIR_FIELDS)) {
    report[key] = field(text, label, new RegExp(`${label} +: +(\\d+)`))[0];
  }
  return report;
}

/** What is wrong with a part, as sentences; empty when the mesh is clean and fits the bed. */
export function meshProblems(report) {
  const problems = [];
  const [facetsBefore, facetsAfter] = report.facets;
  if (facetsBefore === 0) problems.push('no facets');
  if (facetsBefore !== facetsAfter)
    problems.push(`admesh changed the facet count ${facetsBefore} -> ${facetsAfter}`);
  if (report.disconnectedFacets[0] > 0) {
    problems.push(`${report.disconnectedFacets[0]} facets with open edges (not manifold)`);
  }
  for (const [key, label] of Object.entries(REPAIR_FIELDS)) {
    if (report[key] > 0) problems.push(`${label.toLowerCase()}: ${report[key]}`);
  }
  if (report.parts !== EXPECTED_PARTS) problems.push(`${report.parts} parts (expected ${EXPECTED_PARTS})`);
  if (!(report.volumeMm3 > 0)) problems.push(`volume ${report.volumeMm3} mm³ (inside out?)`);
  if (Math.abs(report.min.z) > 1e-3) problems.push(`lowest point at z = ${report.min.z} mm, not on the bed`);
  const { x, y, z } = report.size;
  const fitsFlat = (x <= BED_MM.x && y <= BED_MM.y) || (y <= BED_MM.x && x <= BED_MM.y);
  if (!fitsFlat || z > BED_MM.z) {
    problems.push(
      `${fmt(x)} x ${fmt(y)} x ${fmt(z)} mm does not fit the ${BED_MM.x} x ${BED_MM.y} x ${BED_MM.z} mm bed`,
    );
  }
  return problems;
}

/** Runs admesh on one STL (read only: admesh writes nothing without output options). */
export function checkStl(file) {
  const run = spawnSync('admesh', [file], { encoding: 'utf8' });
  if (run.error)
    throw new Error(`cannot run admesh (${run.error.message}); install it, e.g. apt-get install admesh`);
  if (run.status !== 0)
    return { file, problems: [`admesh failed (exit ${run.status}): ${run.stderr.trim()}`] };
  try {
    const report = parseAdmeshReport(run.stdout);
    return { file, report, problems: meshProblems(report) };
  } catch (error) {
    return { file, problems: [error.message] };
  }
}

function fmt(mm) {
  return mm.toFixed(1);
}

const CSV_HEADER = 'part,x_mm,y_mm,z_mm,volume_cm3,facets,clean_and_fits';

function csvRow({ file, report, problems }) {
  const part = basename(file, '.stl');
  if (!report) return `${part},,,,,,no`;
  const { x, y, z } = report.size;
  return (
    [part, fmt(x), fmt(y), fmt(z), (report.volumeMm3 / 1000).toFixed(1), report.facets[0]].join(',') +
    (problems.length === 0 ? ',yes' : ',no')
  );
}

function main(argv) {
  const csvAt = argv.indexOf('--csv');
  const csvFile = csvAt >= 0 ? argv[csvAt + 1] : undefined;
  if (csvAt >= 0 && !csvFile) throw new Error('--csv needs a file name');
  const rest = csvAt >= 0 ? argv.filter((_, i) => i !== csvAt && i !== csvAt + 1) : argv;
  const dir = rest[0] ?? fileURLToPath(new URL('stl', import.meta.url));
  let names;
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.stl'));
  } catch (error) {
    console.error(`error: ${dir}: ${error.message} (render the parts first: make -C models-3d)`);
    return 2;
  }
  names.sort();
  if (names.length === 0) {
    console.error(`error: ${dir}: no .stl files (render the parts first: make -C models-3d)`);
    return 2;
  }
  const results = names.map((name) => checkStl(join(dir, name)));
  for (const result of results) {
    const part = basename(result.file, '.stl');
    const size = result.report
      ? `${fmt(result.report.size.x)} x ${fmt(result.report.size.y)} x ${fmt(result.report.size.z)} mm`
      : '';
    const verdict = result.problems.length === 0 ? 'ok' : `FAIL: ${result.problems.join('; ')}`;
    console.log(`${part.padEnd(24)} ${size.padEnd(26)} ${verdict}`);
  }
  if (csvFile) writeFileSync(csvFile, `${[CSV_HEADER, ...results.map(csvRow)].join('\n')}\n`);
  const failed = results.filter((result) => result.problems.length > 0).length;
  console.log(`${results.length - failed} of ${results.length} parts clean and fit the bed`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && basename(process.argv[1]) === 'check-stl.js') {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${error.message}`);
    process.exitCode = 2;
  }
}
