import { describe, expect, it } from 'vitest';
import { parseFileCommands, parseWorkflowCommands } from './workflow-commands.js';

describe('parseWorkflowCommands', () => {
  it.each([
    ['::error::boom', [{ level: 'error', message: 'boom' }]],
    [
      '::error file=src/a.ts,line=3,col=2,endLine=4,endColumn=7,title=Low coverage::73%25 < 80%25',
      [
        {
          level: 'error',
          message: '73% < 80%',
          file: 'src/a.ts',
          line: 3,
          col: 2,
          endLine: 4,
          endColumn: 7,
          title: 'Low coverage',
        },
      ],
    ],
    ['::warning title=a%3A b%2C c::x%0Ay%0D', [{ level: 'warning', message: 'x\ny\r', title: 'a: b, c' }]],
    ['::notice::literal %250A stays', [{ level: 'notice', message: 'literal %0A stays' }]],
    ['::debug::why', [{ level: 'debug', message: 'why' }]],
    ['  ::error::indented\r', [{ level: 'error', message: 'indented' }]],
    ['plain ::error::in the middle\n::group::g\n::endgroup::', []],
    ['::stop-commands::tok\n::error::ignored\n::tok::\n::error::counted', [{ level: 'error', message: 'counted' }]],
  ])('%j', (stdout, annotations) => {
    expect(parseWorkflowCommands(stdout).annotations).toEqual(annotations);
  });

  it('collects masks, unescaped', () => {
    expect(parseWorkflowCommands('::add-mask::s3cr%25t\nx\n::add-mask::two').masked).toEqual(['s3cr%t', 'two']);
  });
});

describe('parseFileCommands', () => {
  it.each([
    ['a=1\nb=x=y\n', { a: '1', b: 'x=y' }],
    ['report<<EOF\nline 1\n\nline 3\nEOF\n', { report: 'line 1\n\nline 3' }],
    ['m<<ghadelimiter_1\r\nv\r\nghadelimiter_1\r\n', { m: 'v' }],
    ['a=1\na=2\n', { a: '2' }],
    ['x=has<<inside\n', { x: 'has<<inside' }],
    ['empty<<D\nD\n', { empty: '' }],
    ['', {}],
  ])('%j', (content, expected) => {
    expect(parseFileCommands(content, 'GITHUB_OUTPUT')).toEqual(expected);
  });

  it.each([
    ['a=1\nreport<<EOF\nno end\n', /GITHUB_OUTPUT line 2: the value of "report" is never closed by a line "EOF"/],
    ['garbage\n', /GITHUB_OUTPUT line 1: "garbage" is neither name=value nor name<<DELIMITER/],
    ['x<<\n', /GITHUB_OUTPUT line 1: "x<<" has no delimiter/],
  ])('rejects %j', (content, message) => {
    expect(() => parseFileCommands(content, 'GITHUB_OUTPUT')).toThrow(message);
  });
});
