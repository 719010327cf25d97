/**
 * Suppliers and their profit and loss.
 *
 * A supplier sells to its customers on its tariffs, buys their net import at the wholesale price,
 * resells their export at wholesale, and pays the network (DUoS) charges on their import.
 *
 *   billRevenueGbp    = Σ customers' (energy + standing + pass-through network charges)
 *   exportPaymentsGbp = Σ customers' export credits (paid by the supplier)
 *   wholesaleCostGbp  = Σ importKwh × wholesale price of the step
 *   exportResaleGbp   = Σ exportKwh × wholesale price of the step
 *   networkCostGbp    = Σ importKwh × the catalogue's network charge rate of the step (DUoS bands)
 *   operatingCostGbp  = customer-days × costToServeGbpPerCustomerPerDay
 *   profitGbp = billRevenueGbp − exportPaymentsGbp − wholesaleCostGbp + exportResaleGbp − networkCostGbp − operatingCostGbp
 *
 * API:
 *   SupplierSchema / type Supplier {id, name, costToServeGbpPerCustomerPerDay}
 *   class SupplierLedger(supplier, networkCharges?)  record(tariff, step: BillStep, minuteOfYear, stepMinutes); pnl()
 *   supplierPnlForSeries(supplier, customers: {tariff, steps}[], networkCharges, stepMinutes, startMinuteOfYear = 0)
 *   type SupplierPnl (the terms above plus supplierId, customerDays, importKwh, exportKwh)
 */
import { z } from 'zod';
import { MINUTES_PER_DAY } from '../environment/calendar.js';
import {
  type BillStep,
  exportPriceGbpPerKwh,
  importPriceGbpPerKwh,
  type NetworkChargeSchedule,
  networkChargeGbpPerKwh,
  standingChargeGbpPerDay,
  type Tariff,
} from './tariff.js';

export const SupplierSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id such as "capped-energy"'),
    name: z.string().min(1),
    /** Billing, metering and customer service cost per customer per day. */
    costToServeGbpPerCustomerPerDay: z.number().finite().nonnegative().default(0),
  })
  .strict();
export type Supplier = z.infer<typeof SupplierSchema>;

/** A supplier's profit and loss over what has been recorded (all £ except where named). */
export interface SupplierPnl {
  readonly supplierId: string;
  readonly customerDays: number;
  readonly importKwh: number;
  readonly exportKwh: number;
  readonly billRevenueGbp: number;
  readonly exportPaymentsGbp: number;
  readonly wholesaleCostGbp: number;
  readonly exportResaleGbp: number;
  readonly networkCostGbp: number;
  readonly operatingCostGbp: number;
  readonly profitGbp: number;
}

/** Accumulates a supplier's P&L step by step (a customer may change tariff between steps). */
export class SupplierLedger {
  private customerDays = 0;
  private importKwh = 0;
  private exportKwh = 0;
  private billRevenueGbp = 0;
  private exportPaymentsGbp = 0;
  private wholesaleCostGbp = 0;
  private exportResaleGbp = 0;
  private networkCostGbp = 0;

  /**
   * @param supplier - the supplier whose books these are.
   * @param networkCharges - the network charges the supplier pays on its customers' import (none: 0).
   */
  constructor(
    readonly supplier: Supplier,
    private readonly networkCharges?: NetworkChargeSchedule,
  ) {}

  /** Records one customer's metered step on `tariff` (a tariff of this supplier). */
  record(tariff: Tariff, step: BillStep, minuteOfYear: number, stepMinutes: number): void {
    const days = stepMinutes / MINUTES_PER_DAY;
    const wholesale = step.wholesaleGbpPerKwh;
    this.customerDays += days;
    this.importKwh += step.importKwh;
    this.exportKwh += step.exportKwh;
    this.billRevenueGbp +=
      step.importKwh * importPriceGbpPerKwh(tariff, minuteOfYear, wholesale) +
      days * standingChargeGbpPerDay(tariff) +
      step.importKwh * networkChargeGbpPerKwh(tariff.networkCharges, minuteOfYear);
    this.exportPaymentsGbp += step.exportKwh * exportPriceGbpPerKwh(tariff, minuteOfYear, wholesale);
    this.wholesaleCostGbp += step.importKwh * wholesale;
    this.exportResaleGbp += step.exportKwh * wholesale;
    this.networkCostGbp += step.importKwh * networkChargeGbpPerKwh(this.networkCharges, minuteOfYear);
  }

  /** The P&L so far. */
  pnl(): SupplierPnl {
    const operatingCostGbp = this.customerDays * this.supplier.costToServeGbpPerCustomerPerDay;
    return {
      supplierId: this.supplier.id,
      customerDays: this.customerDays,
      importKwh: this.importKwh,
      exportKwh: this.exportKwh,
      billRevenueGbp: this.billRevenueGbp,
      exportPaymentsGbp: this.exportPaymentsGbp,
      wholesaleCostGbp: this.wholesaleCostGbp,
      exportResaleGbp: this.exportResaleGbp,
      networkCostGbp: this.networkCostGbp,
      operatingCostGbp,
      profitGbp:
        this.billRevenueGbp -
        this.exportPaymentsGbp -
        this.wholesaleCostGbp +
        this.exportResaleGbp -
        this.networkCostGbp -
        operatingCostGbp,
    };
  }
}

/** The P&L of a supplier over customers' series (each customer on one tariff throughout). */
export function supplierPnlForSeries(
  supplier: Supplier,
  customers: readonly { tariff: Tariff; steps: readonly BillStep[] }[],
  networkCharges: NetworkChargeSchedule | undefined,
  stepMinutes: number,
  startMinuteOfYear = 0,
): SupplierPnl {
  const ledger = new SupplierLedger(supplier, networkCharges);
  for (const customer of customers) {
    customer.steps.forEach((step, index) => {
      ledger.record(customer.tariff, step, startMinuteOfYear + index * stepMinutes, stepMinutes);
    });
  }
  return ledger.pnl();
}
