export { readInteger, readServiceConfig, type ServiceConfig, type ServiceDefaults } from './config.js';
export { ApiError, ConfigError, errorBody, errorShapeProblem, handleError, type ErrorBody } from './errors.js';
export {
  faultApplies,
  FaultInjector,
  parseFaultSettings,
  PROBE_ROUTES,
  type FaultInjectorOptions,
  type FaultSettings,
  type FaultSwitchOptions,
} from './faults.js';
export { createServiceMetrics, HTTP_BUCKETS, readMetric, type ServiceMetrics } from './metrics.js';
export {
  BODY_LIMIT_BYTES,
  registerServiceBasics,
  serverOptions,
  type ServerOptionsInput,
  type ServiceBasics,
} from './service.js';
export { listenUntilSignal, loadConfigOrReport } from './start.js';
