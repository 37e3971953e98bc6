// node-fetch@2 (pulled in by Spectral's resolver packages, never called: remote $refs are not fetched) loads
// whatwg-url -> tr46 -> the `punycode` builtin, and Node 22+ prints DEP0040 for it on every run. It is noise in the
// user's log that we cannot fix upstream, so that one deprecation is dropped; every other warning still prints.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0];
  const code = typeof options === 'object' && options !== null ? (options as { code?: string }).code : rest[1];
  if (code === 'DEP0040') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
