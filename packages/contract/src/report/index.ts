export { buildContractReport, FAIL_ON_VALUES, type ContractReportInput, type FailOn, type LinkBase } from './build.js';
export { findMergeBase, materializeBaseSpec, type MaterializedBase } from './base-spec.js';
export {
  runContractGate,
  runDiffJob,
  type ContractGateOptions,
  type ContractGateResult,
  type DiffJob,
  type DiffJobResult,
} from './gate.js';
