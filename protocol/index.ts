/** The GridFlex wire protocol: Homie 5 device topics and the hub's `gridflex/v1` world. */
export * from './clock.js';
export * from './gridflex.js';
export * from './homie.js';
export * from './tariff-csv.js';
