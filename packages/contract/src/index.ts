export * from './load/index.js';
export * from './diff/index.js';
export * from './lint/index.js';
export * from './accept/index.js';
export * from './client/index.js';
export * from './report/index.js';
export { houseRuleset } from '../rulesets/house.js';
