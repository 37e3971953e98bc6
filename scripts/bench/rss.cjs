// Preloaded with `node --require` into every benchmarked process (ours and the peers'): reports the process's own
// peak RSS on exit, so every figure is measured the same way.
process.on('exit', () => {
  const maxRssKb = process.resourceUsage().maxRSS;
  require('node:fs').writeSync(2, `\n@@bench-rss ${maxRssKb}\n`);
});
