export {
  checkClient,
  DEFAULT_CLIENT_COMMAND,
  DIFF_EXCERPT_LINES,
  type ClientCheckOptions,
  type ClientStatus,
} from './client-sync.js';
