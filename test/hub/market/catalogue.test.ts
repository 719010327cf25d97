import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eligibleTariffs, parseTariffCatalogueYaml, tariffById } from '../../../hub/market/catalogue.js';
import { DEFAULT_TARIFF_CATALOGUE, loadTariffCatalogue } from '../../../hub/market/load-catalogue.js';

const SHIPPED = 'scenarios/data/tariffs-gb.yaml';
const shippedText = readFileSync(SHIPPED, 'utf8');

describe('tariff catalogue', () => {
  it('ships a valid GB catalogue with every tariff shape the brief asks for', () => {
    expect(DEFAULT_TARIFF_CATALOGUE.endsWith(SHIPPED)).toBe(true);
    const catalogue = loadTariffCatalogue();
    const cap = tariffById(catalogue, 'flat-cap');
    expect(cap.import).toEqual({ shape: 'flat', unitRatePencePerKwh: 26.11 });
    expect(cap.standingChargePencePerDay).toBe(57.19);
    expect(catalogue.tariffs.map((t) => t.category)).toEqual(
      expect.arrayContaining(['standard', 'economy-7', 'ev', 'heat-pump', 'dynamic', 'export']),
    );
    const dynamic = tariffById(catalogue, 'dynamic-half-hourly');
    expect(dynamic.import).toMatchObject({
      shape: 'dynamic',
      peakFrom: '16:00',
      peakTo: '19:00',
      capPencePerKwh: 100,
    });
    expect(tariffById(catalogue, 'network-aware').networkCharges?.periods.length).toBe(3);
    expect(catalogue.tariffs.every((t) => t.export !== undefined)).toBe(true);
    expect(eligibleTariffs(catalogue, []).map((t) => t.id)).toEqual(['flat-cap', 'fixed-12m', 'economy-7']);
    expect(eligibleTariffs(catalogue, ['ev', 'smart-meter']).map((t) => t.id)).toContain('ev-tou');
    expect(() => tariffById(catalogue, 'nope')).toThrow(
      /tariff "nope": not in the catalogue \(known: flat-cap,/,
    );
  });

  it('gives clear errors for bad catalogues', () => {
    const parse = (text: string) => () => parseTariffCatalogueYaml(text, 'bad.yaml');
    expect(parse(shippedText.replace('supplierId: volt-flex', 'supplierId: nobody'))).toThrow(
      /bad\.yaml: tariffs\.3\.supplierId: unknown supplier "nobody"/,
    );
    expect(parse(shippedText.replace('id: fixed-12m', 'id: flat-cap'))).toThrow(
      /bad\.yaml: tariffs\.1\.id: duplicate tariff id "flat-cap"/,
    );
    expect(
      parse(shippedText.replace(/from: (['"])00:30\1, to: (['"])07:30\2/, "from: '0:30', to: '07:30'")),
    ).toThrow(/bad\.yaml: tariffs\.2\.import\.bands\.0\.from: expected a clock time/);
    expect(
      parse(
        shippedText.replace(
          'unitRatePencePerKwh: 26.11 }\n    standingChargePencePerDay: 57.19\n    export: { shape: flat, unitRatePencePerKwh: 4.1 }',
          'unitRatePencePerKwh: 29.5 }\n    standingChargePencePerDay: 57.19\n    export: { shape: flat, unitRatePencePerKwh: 4.1 }',
        ),
      ),
    ).toThrow(
      /bad\.yaml: tariffs\.0 \(flat-cap\) breaks regulator rules: price-cap: unit rate 29\.5 p\/kWh is above the price cap 26\.11 p\/kWh/,
    );
    expect(
      parse(
        shippedText.replace(
          'allowedShapes: [flat, time-of-use, dynamic]',
          'allowedShapes: [flat, time-of-use]',
        ),
      ),
    ).toThrow(
      /tariffs\.5 \(dynamic-half-hourly\) breaks regulator rules: allowed-shape: import shape "dynamic" is not allowed/,
    );
    expect(parse(shippedText.replace('version: 1', 'version: 2'))).toThrow(/bad\.yaml: version: /);
    expect(parse('tariffs: [unclosed')).toThrow(/bad\.yaml:1: not valid YAML/);
    expect(() => loadTariffCatalogue('/nonexistent/tariffs.yaml')).toThrow(/not found or not readable/);
  });

  it('`gridflex tariffs check` validates a file and exits 2 with the error on a bad one', () => {
    const ok = spawnSync('node', ['dist/hub/cli.js', 'tariffs', 'check', SHIPPED], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('8 tariffs from 3 suppliers');
    const bad = join(mkdtempSync(join(tmpdir(), 'gridflex-tariffs-')), 'bad.yaml');
    writeFileSync(bad, shippedText.replace('exitFeeGbp: 50', 'exitFeeGbp: 500'));
    const failed = spawnSync('node', ['dist/hub/cli.js', 'tariffs', 'check', bad], { encoding: 'utf8' });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain(
      'tariffs.1 (fixed-12m) breaks regulator rules: exit-fee: exit fee £500 is above the maximum £150',
    );
  });
});
