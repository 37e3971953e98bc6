export {
  DEFAULT_ACCEPT_FILE,
  normalizeOperation,
  parseAcceptFile,
  readAcceptFile,
  type AcceptEntry,
  type AcceptFile,
} from './accept-file.js';
export {
  applyAcceptFile,
  majorOf,
  type Acceptance,
  type AcceptableChange,
  type AcceptedBy,
  type AcceptedChange,
  type ApplyOptions,
  type ExpiredEntry,
} from './apply.js';
