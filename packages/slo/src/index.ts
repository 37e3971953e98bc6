export * from './spec.js';
export * from './rules.js';
export * from './production.js';
export * from './dashboards.js';
export * from './generate.js';
