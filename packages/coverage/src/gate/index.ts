export * from './baseline.js';
export * from './errors.js';
export * from './evaluate.js';
export * from './packages.js';
export * from './patch.js';
export * from './policy.js';
export * from './run.js';
export * from './totals.js';
