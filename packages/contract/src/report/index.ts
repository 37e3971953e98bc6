export { buildContractReport, FAIL_ON_VALUES, type ContractReportInput, type FailOn, type LinkBase } from './build.js';
export { findMergeBase, materializeBaseSpec, type MaterializedBase } from './base-spec.js';
export { runContractGate, type ContractGateOptions, type ContractGateResult } from './gate.js';
export { runDiffJob, type DiffJob, type DiffJobResult } from './diff-job.js';
