export * from './ev.js';
export * from './heat-pump.js';
export * from './home.js';
export * from './inverter-loop.js';
export * from './pv.js';
export * from './storage.js';
