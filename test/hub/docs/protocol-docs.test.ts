import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_TOPIC_SPECS, protocolJsonSchema, protocolMarkdown } from '../../../hub/docs/protocol-docs.js';

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
});
