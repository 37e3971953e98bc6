export * from './message.js';
export * from './slack.js';
