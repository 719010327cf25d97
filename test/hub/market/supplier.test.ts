import { describe, expect, it } from 'vitest';
import { SupplierLedger, SupplierSchema, supplierPnlForSeries } from '../../../hub/market/supplier.js';
import { series, tariff } from './fixtures.js';

describe('supplier profit and loss', () => {
  it('matches a hand-computed case', () => {
    const supplier = SupplierSchema.parse({ id: 's', name: 'S', costToServeGbpPerCustomerPerDay: 0.1 });
    const flat = tariff({
      id: 'flat',
      import: { shape: 'flat', unitRatePencePerKwh: 20 },
      standingChargePencePerDay: 48,
      export: { shape: 'flat', unitRatePencePerKwh: 5 },
    });
    const network = { name: 'n', redPencePerKwh: 0, amberPencePerKwh: 0, greenPencePerKwh: 1, periods: [] };
    // One hour: 2 kWh import at £0.10/kWh wholesale, then 1 kWh export at £0.05/kWh wholesale.
    const steps = series(2, {
      0: { importKwh: 2, wholesaleGbpPerKwh: 0.1 },
      1: { exportKwh: 1, wholesaleGbpPerKwh: 0.05 },
    });
    const pnl = supplierPnlForSeries(supplier, [{ tariff: flat, steps }], network, 30);
    expect(pnl.customerDays).toBeCloseTo(1 / 24, 12);
    expect(pnl.billRevenueGbp).toBeCloseTo(0.4 + 0.02, 12); // 2 kWh × 20 p + 48 p/day × 1/24 day
    expect(pnl.exportPaymentsGbp).toBeCloseTo(0.05, 12);
    expect(pnl.wholesaleCostGbp).toBeCloseTo(0.2, 12);
    expect(pnl.exportResaleGbp).toBeCloseTo(0.05, 12);
    expect(pnl.networkCostGbp).toBeCloseTo(0.02, 12);
    expect(pnl.operatingCostGbp).toBeCloseTo(0.1 / 24, 12);
    expect(pnl.profitGbp).toBeCloseTo(0.42 - 0.05 - 0.2 + 0.05 - 0.02 - 0.1 / 24, 12);

    const ledger = new SupplierLedger(supplier, network);
    steps.forEach((step, index) => {
      ledger.record(flat, step, index * 30, 30);
    });
    expect(ledger.pnl()).toEqual(pnl);
  });

  it('counts pass-through network charges as bill revenue and loses money on negative-price imports', () => {
    const supplier = SupplierSchema.parse({ id: 's', name: 'S' });
    const network = {
      name: 'n',
      redPencePerKwh: 10,
      amberPencePerKwh: 0,
      greenPencePerKwh: 0,
      periods: [{ band: 'red' as const, from: '00:00', to: '24:00', days: 'all' as const }],
    };
    const dynamic = tariff({
      id: 'dyn',
      import: { shape: 'dynamic', wholesaleMultiplier: 1, capPencePerKwh: 100 },
      networkCharges: network,
    });
    const steps = series(1, { 0: { importKwh: 4, wholesaleGbpPerKwh: -0.02 } });
    const pnl = supplierPnlForSeries(supplier, [{ tariff: dynamic, steps }], network, 30);
    expect(pnl.billRevenueGbp).toBeCloseTo(4 * -0.02 + 4 * 0.1, 12);
    expect(pnl.wholesaleCostGbp).toBeCloseTo(-0.08, 12);
    expect(pnl.profitGbp).toBeCloseTo(0, 12);
  });
});
