/** The environment: calendar, representative year, its generator, synthetic base load. Pure (no I/O). */
export * from './base-load.js';
export * from './calendar.js';
export * from './generate-year.js';
export * from './year.js';
