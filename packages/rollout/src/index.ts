export * from './explain.js';
export * from './helm.js';
export * from './history.js';
export * from './inputs.js';
export * from './names.js';
export * from './report.js';
export * from './run.js';
