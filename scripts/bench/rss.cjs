// Preloaded with `node --require` into every benchmarked process (ours and the peers'): reports the process's own
// peak RSS on exit, so every figure is measured the same way.
const { writeSync } = require('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports
process.on('exit', () => writeSync(2, `\n@@bench-rss ${process.resourceUsage().maxRSS}\n`));
