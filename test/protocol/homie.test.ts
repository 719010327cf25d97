import { describe, expect, it } from 'vitest';
import {
  formatHomieValue,
  GRIDFLEX_NODE_KINDS,
  HOMIE_EMPTY_STRING,
  HomiePropertySchema,
  homieTopics,
  parseHomieTopic,
  parseHomieValue,
  parseRange,
  parseSetPayload,
  ReadingRecordSchema,
} from '../../protocol/homie.js';

describe('Homie 5 topics', () => {
  it('builds and parses device topics', () => {
    expect(homieTopics.state('house-7')).toBe('homie/5/house-7/$state');
    expect(homieTopics.set('house-7', 'battery', 'power-kw')).toBe('homie/5/house-7/battery/power-kw/set');
    expect(parseHomieTopic('homie/5/house-7/$description')).toEqual({
      kind: 'description',
      deviceId: 'house-7',
    });
    expect(parseHomieTopic('homie/5/house-7/$log/error')).toEqual({
      kind: 'log',
      deviceId: 'house-7',
      level: 'error',
    });
    expect(parseHomieTopic(homieTopics.set('house-7', 'battery', 'power-kw'))).toEqual({
      kind: 'set',
      deviceId: 'house-7',
      nodeId: 'battery',
      propertyId: 'power-kw',
    });
    expect(parseHomieTopic('homie/5/house-7/battery/power-kw/set/extra')).toBeNull();
    expect(parseHomieTopic('homie/4/house-7/$state')).toBeNull();
    expect(parseHomieTopic('homie/5/house-7/$weird/x')).toBeNull();
    expect(parseHomieTopic(homieTopics.readings('house-7'))).toEqual({
      kind: 'readings',
      deviceId: 'house-7',
    });
  });
});

describe('property values (Homie 5 payloads)', () => {
  const float = { datatype: 'float', format: '-5:0' } as const;

  it('writes each value as Homie 5 does and reads it back for its datatype', () => {
    const cases = [
      [-2.5, float, '-2.5'],
      [3, { datatype: 'integer', format: '0:' }, '3'],
      [true, { datatype: 'boolean' }, 'true'],
      ['eco', { datatype: 'enum', format: 'eco,boost' }, 'eco'],
      ['', { datatype: 'string' }, HOMIE_EMPTY_STRING],
      ['04A1', { datatype: 'string' }, '04A1'],
    ] as const;
    for (const [value, property, payload] of cases) {
      expect(formatHomieValue(value)).toBe(payload);
      expect(parseHomieValue(Buffer.from(payload), property)).toEqual({ ok: true, value });
    }
    expect(parseHomieValue('-1.5e0', float)).toEqual({ ok: true, value: -1.5 });
  });

  it('refuses what is not the datatype or outside $format, naming why', () => {
    expect(parseHomieValue('1e6', float)).toEqual({ ok: false, reason: '1e6 is outside -5:0' });
    expect(parseHomieValue('-1e308', float)).toEqual({ ok: false, reason: '-1e308 is outside -5:0' });
    expect(parseHomieValue('-1e309', float)).toEqual({
      ok: false,
      reason: 'expected a number, got "-1e309"',
    });
    for (const junk of ['abc', 'NaN', '-Infinity', '', ' -1', '0x10', '{"value":-1,"ts":1}'])
      expect(parseHomieValue(junk, float)).toEqual({
        ok: false,
        reason: `expected a number, got ${JSON.stringify(junk)}`,
      });
    expect(parseHomieValue(HOMIE_EMPTY_STRING, float).ok).toBe(false);
    expect(parseHomieValue('1.0', { datatype: 'integer' })).toEqual({
      ok: false,
      reason: 'expected an integer, got "1.0"',
    });
    expect(parseHomieValue('TRUE', { datatype: 'boolean' })).toEqual({
      ok: false,
      reason: 'expected true or false, got "TRUE"',
    });
    expect(parseHomieValue('off', { datatype: 'enum', format: 'eco,boost' }).ok).toBe(false);
  });

  it('$readings records carry node, property, value, time and sequence number', () => {
    const record = { node: 'pv', property: 'power-kw', value: -2.5, ts: 1764060000000, seq: 4 };
    expect(ReadingRecordSchema.parse(record)).toEqual(record);
    expect(ReadingRecordSchema.safeParse({ ...record, ts: -1 }).success).toBe(false);
    expect(ReadingRecordSchema.safeParse({ ...record, node: 'PV' }).success).toBe(false);
  });
});

describe('/set payloads', () => {
  const power = { datatype: 'float', settable: true, format: '-5:5' } as const;

  it('accepts plain Homie 5 payloads within the format', () => {
    expect(parseSetPayload('2.5', power)).toEqual({ ok: true, value: 2.5 });
    expect(parseSetPayload(Buffer.from('-5'), power)).toEqual({ ok: true, value: -5 });
    expect(parseSetPayload('true', { datatype: 'boolean', settable: true })).toEqual({
      ok: true,
      value: true,
    });
    expect(parseSetPayload('eco', { datatype: 'enum', format: 'eco,boost', settable: true })).toEqual({
      ok: true,
      value: 'eco',
    });
  });

  it('rejects with a reason: range, type, not settable, junk', () => {
    expect(parseSetPayload('6', power)).toEqual({ ok: false, reason: '6 is outside -5:5' });
    expect(parseSetPayload('NaN', power)).toEqual({ ok: false, reason: 'expected a number, got "NaN"' });
    expect(parseSetPayload('', power)).toEqual({ ok: false, reason: 'empty payload' });
    expect(parseSetPayload('Infinity', power)).toEqual({
      ok: false,
      reason: 'expected a number, got "Infinity"',
    });
    expect(parseSetPayload('{"value": 1}', power)).toEqual({
      ok: false,
      reason: 'expected a number, got "{\\"value\\": 1}"',
    });
    expect(parseSetPayload('1.5', { datatype: 'integer', settable: true })).toEqual({
      ok: false,
      reason: 'expected an integer, got "1.5"',
    });
    expect(parseSetPayload('1', { datatype: 'float' })).toEqual({
      ok: false,
      reason: 'property is not settable',
    });
    expect(parseSetPayload('x'.repeat(300), power).ok).toBe(false);
  });

  it('parses open-ended ranges', () => {
    expect(parseRange('0:')).toEqual({ min: 0, max: Number.POSITIVE_INFINITY });
    expect(parseRange(undefined)).toEqual({ min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY });
  });
});

describe('GridFlex node kinds', () => {
  it('declares valid Homie properties for every kind', () => {
    for (const properties of Object.values(GRIDFLEX_NODE_KINDS)) {
      for (const property of Object.values(properties))
        expect(HomiePropertySchema.parse(property)).toEqual(property);
    }
    expect(Object.keys(GRIDFLEX_NODE_KINDS['ev-pad'])).toEqual([
      'pad-id',
      'plot-id',
      'tag-uid',
      'ev-id',
      'present',
      'soc-pct',
    ]);
  });
});
