import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect.js';

describe('detectFormat (by content, never by name)', () => {
  it.each([
    ['lcov', 'TN:\nSF:a.ts\nDA:1,1\nend_of_record\n', 'lcov'],
    ['lcov without TN, indented SF', '  SF: a.ts\nDA:1,1\n', 'lcov'],
    ["Codecov's minimal lcov", 'hello\nend_of_record\n', 'lcov'],
    ['Go profile', 'mode: atomic\na.go:1.1,2.2 1 1\n', 'go'],
    [
      'Cobertura',
      '<?xml version="1.0"?>\n<!DOCTYPE coverage SYSTEM "x.dtd">\n<coverage line-rate="1"><sources/></coverage>',
      'cobertura',
    ],
    ['Clover (istanbul)', '<coverage generated="1" clover="3.2.0"><project/></coverage>', 'clover'],
    [
      'Clover (PHPUnit, no clover attr)',
      '<?xml version="1.0"?>\n<coverage generated="1">\n  <project timestamp="1">',
      'clover',
    ],
    [
      'JaCoCo',
      '<?xml version="1.0"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="x">',
      'jacoco',
    ],
    [
      'SonarQube generic',
      '<coverage version="1"><file path="a.c"><lineToCover lineNumber="1" covered="true"/></file></coverage>',
      'sonarqube',
    ],
    ['BOM + whitespace before XML', '\ufeff  \n<coverage line-rate="1"><packages/></coverage>', 'cobertura'],
  ])('%s', (_name, text, format) => {
    expect(detectFormat(Buffer.from(text))).toEqual({ kind: 'format', format });
  });

  it.each([
    ['JSON object', '{"a": 1}', 'json'],
    ['JSON array', ' [1]', 'json'],
    ['empty', '', 'empty'],
    ['whitespace', ' \n\t', 'empty'],
    ['prose', 'hello world', 'unknown'],
    ['binary', '\u0000\u0001', 'unsupported'],
    ['OpenCover', '<CoverageSession xmlns:xsd="x">', 'unsupported'],
  ])('%s -> %s', (_name, text, kind) => {
    expect(detectFormat(Buffer.from(text)).kind).toBe(kind);
  });
});
