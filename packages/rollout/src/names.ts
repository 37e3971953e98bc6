import { GateError } from '@myco-gates/core';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a Kubernetes object name (DNS-1123 subdomain, ≤ 253 characters) before it reaches a command line, so a
 * value like `--kubeconfig=/x` can never be read by kubectl as a flag.
 * @param input the action input the value came from, for the message.
 * @param value the name.
 * @returns the name.
 * @throws GateError naming the input and the rule.
 */
export function checkObjectName(input: string, value: string): string {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value))
    throw new GateError(`\`${input}\` "${value}" is not a valid Kubernetes name`, {
      fix: 'use lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit (DNS-1123, at most 253 characters)',
    });
  return value;
}

/**
 * Checks a namespace or Helm release name (DNS-1123 label, ≤ 63 characters; Helm allows 53).
 * @param input the action input (or `release`), for the message.
 * @param value the name.
 * @param maxLength 63 for namespaces, 53 for Helm releases.
 * @returns the name.
 * @throws GateError naming the input and the rule.
 */
export function checkLabelName(input: string, value: string, maxLength = 63): string {
  if (value.length > maxLength || !DNS1123_LABEL.test(value))
    throw new GateError(`\`${input}\` "${value}" is not a valid DNS-1123 label`, {
      fix: `use lower-case letters, digits and \`-\`, starting and ending with a letter or digit, at most ${maxLength} characters`,
    });
  return value;
}

/**
 * Splits a command line into arguments the way a POSIX shell would quote them, without running a shell: single
 * quotes keep everything, double quotes allow `\"` and `\\`, a backslash outside quotes escapes the next character.
 * No variables, globs, pipes or redirections: those characters are plain text.
 * @param commandLine e.g. `curl -fsS "https://shop.example/health?deep=1"`.
 * @returns the arguments, e.g. `['curl', '-fsS', 'https://shop.example/health?deep=1']`.
 * @throws GateError on an unclosed quote or an empty command.
 * @example splitCommandLine(`sh -c 'exit 0'`) // ['sh', '-c', 'exit 0']
 */
export function splitCommandLine(commandLine: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < commandLine.length; i++) {
    const c = commandLine[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (commandLine[i + 1] === '"' || commandLine[i + 1] === '\\')) current += commandLine[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inArg = true;
    } else if (c === '\\' && i + 1 < commandLine.length) {
      current += commandLine[++i];
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (quote)
    throw new GateError(`\`verify-command\` has an unclosed ${quote} quote`, {
      fix: 'close the quote; the command is split like a shell would, but no shell runs it',
    });
  if (inArg) args.push(current);
  if (!args.length)
    throw new GateError('`verify-command` is empty', {
      fix: 'give a command, e.g. `curl -fsS https://shop.example/health`',
    });
  return args;
}

/**
 * Parses a timeout: `90`, `90s`, `5m`, `1m30s`, `1h`.
 * @param input the action input, for the message.
 * @param value the text.
 * @returns whole seconds (at least 1).
 * @throws GateError on any other format.
 */
export function parseTimeoutSeconds(input: string, value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  const seconds = match ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : 0;
  if (!match || !text || seconds <= 0)
    throw new GateError(`\`${input}\` "${value}" is not a duration`, {
      fix: 'use seconds (`120`) or `90s`, `5m`, `1m30s`',
    });
  return seconds;
}
