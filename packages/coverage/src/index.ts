export * from './model.js';
export { detectFormat, type DetectedKind } from './detect.js';
export { parseCoverageFile, CoverageInputError } from './parse/index.js';
export type { CoverageFormat, ParseOptions, ParsedReport } from './parse/types.js';
export { normalizePath, PathNormalizer, type NormalizePathOptions } from './paths.js';
export { mergeCoverage, totals, unionFiles, type CoverageSet, type MergeOptions } from './merge.js';
export { readCoverage, splitPatterns, DEFAULT_REPORT_PATTERNS, type ReadCoverageOptions } from './read.js';
export * from './gate/index.js';
