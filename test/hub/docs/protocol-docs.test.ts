import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_TOPIC_SPECS, protocolJsonSchema, protocolMarkdown } from '../../../hub/docs/protocol-docs.js';
import { CLI } from '../live/hub-process.js';
import { tempDir } from '../mqtt-helpers.js';

const scratch = tempDir('gridflex-protocol-docs-');
afterAll(() => scratch.remove());

function protocolDocs(outDir: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, 'protocol-docs', '--out-dir', outDir], { encoding: 'utf8' });
}

describe('protocol docs', () => {
  it('has an example for every topic that its own schema accepts', () => {
    for (const spec of ALL_TOPIC_SPECS) {
      const parsed = spec.schema.safeParse(spec.example);
      expect(parsed.success, `${spec.pattern}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
    }
  });

  it('keeps docs/protocol.schema.json and docs/protocol.md in step with the schemas (run gridflex protocol-docs)', () => {
    expect(JSON.parse(readFileSync('docs/protocol.schema.json', 'utf8'))).toEqual(protocolJsonSchema());
    expect(readFileSync('docs/protocol.md', 'utf8')).toBe(protocolMarkdown());
  });

  it('lists every topic once in the JSON Schema with a definition behind it', () => {
    const schema = protocolJsonSchema() as { 'x-topics': { topic: string; schema: string }[]; $defs: object };
    const topics = schema['x-topics'].map((entry) => entry.topic);
    expect(new Set(topics).size).toBe(topics.length);
    for (const entry of schema['x-topics']) {
      expect(Object.keys(schema.$defs)).toContain(entry.schema.replace('#/$defs/', ''));
    }
  });

  it('gridflex protocol-docs --out-dir creates the folder, and names it when it cannot', () => {
    const outDir = join(scratch.dir, 'new', 'docs');
    const made = protocolDocs(outDir);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(readFileSync(join(outDir, 'protocol.md'), 'utf8')).toBe(protocolMarkdown());
    const file = join(scratch.dir, 'a-file');
    writeFileSync(file, '');
    const refused = protocolDocs(join(file, 'docs'));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${join(file, 'docs')}: cannot create output folder`);
  });
});
