import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('gridflex CLI', () => {
  it('prints help listing its name', () => {
    const out = execFileSync('node', ['dist/hub/cli.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: gridflex');
  });
});
