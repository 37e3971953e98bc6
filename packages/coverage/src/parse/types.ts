import type { FileCoverage } from '../model.js';

/** Every report format the parsers understand, named as users know them. */
export type CoverageFormat =
  | 'lcov'
  | 'istanbul'
  | 'istanbul-summary'
  | 'jest'
  | 'cobertura'
  | 'clover'
  | 'jacoco'
  | 'sonarqube'
  | 'go'
  | 'coveragepy'
  | 'gcovr'
  | 'coveralls'
  | 'simplecov';

/** One parsed report file, before path normalization and merging. */
export interface ParsedReport {
  /** The report file as given (path on disk). */
  file: string;
  format: CoverageFormat;
  /** Per source file, paths exactly as written in the report (not yet normalized). */
  files: FileCoverage[];
  /** Roots the report says its paths are relative to (Cobertura `<source>`); empty for other formats. */
  sourceRoots: string[];
  /** Things the user should know about that did not stop the parse (skipped records, dropped values). */
  warnings: string[];
}

/** Options for {@link parseCoverageFile}. */
export interface ParseOptions {
  /**
   * Largest JSON report read into memory, in bytes (JSON formats cannot be streamed cheaply). Default 256 MB.
   * Bigger reports are rejected with advice to produce lcov, which streams.
   */
  maxJsonBytes?: number;
  /** Force a format instead of detecting it from the content. */
  format?: CoverageFormat;
}
