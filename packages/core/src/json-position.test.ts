import { describe, expect, it } from 'vitest';
import { locateJsonError } from './json-position.js';

describe('locateJsonError', () => {
  it.each([
    ['{\n  "a": 1,\n  "b": ,\n}', { line: 3, column: 8, message: 'unexpected ","' }],
    ['{"a": 1,}', { line: 1, column: 9, message: `unexpected "}" (expected a property name in double quotes)` }],
    ['[1, 2', { line: 1, column: 6, message: `unexpected end of file (expected ',' or ']')` }],
    ['{"a": "x\ny"}', { line: 1, column: 9, message: 'control character in string' }],
    ['{"a": tru}', { line: 1, column: 7, message: 'unexpected "t"' }],
    ['{} {}', { line: 1, column: 4, message: 'unexpected "{" after the end of the document' }],
    ['{"a": 01}', { line: 1, column: 8, message: `unexpected "1" (expected ',' or '}')` }],
    ['"\\x"', { line: 1, column: 3, message: 'bad escape in string' }],
  ])('%j', (text, expected) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual(expected);
  });

  it.each(['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', '\ufeff{"bom": 1}', ' 42 '])(
    'accepts valid JSON %j',
    (text) => {
      expect(locateJsonError(text)).toBeUndefined();
    },
  );
});
