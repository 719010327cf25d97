/** The market: tariffs as data, catalogue, regulator rules, suppliers' P&L, switching. Pure (no I/O). */
export * from './catalogue.js';
export * from './community-battery.js';
export * from './evaluate-switch.js';
export * from './flex-auction.js';
export * from './regulator.js';
export * from './supplier.js';
export * from './switching.js';
export * from './tariff.js';
