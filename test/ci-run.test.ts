import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The packages of the first `apt-get install` line in `text` (flags left out). */
function aptPackages(text: string): string[] {
  const line = /apt-get install ([^\n`>]+)/.exec(text)?.[1] ?? '';
  return line
    .trim()
    .split(/\s+/)
    .filter((word) => !word.startsWith('-'))
    .sort();
}

describe('what the tests need installed: the README and .ci/run agree', () => {
  it('.ci/run installs every package the README says it does (g++ included)', () => {
    const readme = aptPackages(readFileSync('README.md', 'utf8'));
    expect(readme).toContain('g++');
    expect(aptPackages(readFileSync('.ci/run', 'utf8'))).toEqual(readme);
  });

  it('the README names CHROMIUM_PATH, which the browser tests read', () => {
    expect(readFileSync('README.md', 'utf8')).toContain('CHROMIUM_PATH');
    expect(readFileSync('test/hub/dashboard/browser.ts', 'utf8')).toContain('process.env.CHROMIUM_PATH');
  });
});
