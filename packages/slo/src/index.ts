export * from './spec.js';
export * from './rules.js';
export * from './production.js';
export * from './dashboards.js';
export * from './generate.js';
export * from './stats.js';
export * from './prometheus.js';
export * from './validate.js';
