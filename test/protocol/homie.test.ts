import { describe, expect, it } from 'vitest';
import {
  GRIDFLEX_NODE_KINDS,
  HomiePropertySchema,
  homieTopics,
  parseHomieTopic,
  parseRange,
  parseSetPayload,
  parseTelemetryValue,
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
  });
});

describe('telemetry values', () => {
  it('carries value, original timestamp and sequence number', () => {
    expect(parseTelemetryValue('{"value":-2.5,"ts":1764060000000,"seq":4}')).toEqual({
      value: -2.5,
      ts: 1764060000000,
      seq: 4,
    });
    expect(() => parseTelemetryValue('-2.5')).toThrow();
    expect(() => parseTelemetryValue('{"value":1,"ts":-1}')).toThrow();
  });
});

describe('/set payloads', () => {
  const power = { datatype: 'float', settable: true, format: '-5:5' } as const;

  it('accepts Homie literals and the JSON form within the format', () => {
    expect(parseSetPayload('2.5', power)).toEqual({ ok: true, value: 2.5 });
    expect(parseSetPayload(Buffer.from('{"value": -5}'), power)).toEqual({ ok: true, value: -5 });
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
    expect(parseSetPayload('{"value": 1, "x": 2}', power)).toEqual({
      ok: false,
      reason: 'expected {"value": …} or a plain value',
    });
    expect(parseSetPayload('1.5', { datatype: 'integer', settable: true })).toEqual({
      ok: false,
      reason: 'expected an integer, got 1.5',
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
