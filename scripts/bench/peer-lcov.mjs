// One peer lcov parser on one file, reduced to the same totals our gate computes: node peer-lcov.mjs <peer> <file>.
import { createRequire } from 'node:module';
import { createReadStream, readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const [peer, file] = process.argv.slice(2);
const sum = (records, get) => records.reduce((n, r) => n + get(r), 0);

if (peer === 'lcov-parse') {
  const parse = require('lcov-parse');
  const records = await new Promise((resolve, reject) =>
    parse(file, (err, data) => (err ? reject(err) : resolve(data))),
  );
  console.log(
    JSON.stringify({
      files: records.length,
      linesFound: sum(records, (r) => r.lines.found),
      linesHit: sum(records, (r) => r.lines.hit),
    }),
  );
} else if (peer === 'parse-lcov') {
  const parse = require('parse-lcov').default ?? require('parse-lcov');
  const records = parse(readFileSync(file, 'utf8'));
  console.log(
    JSON.stringify({
      files: records.length,
      linesFound: sum(records, (r) => r.lines.found),
      linesHit: sum(records, (r) => r.lines.hit),
    }),
  );
} else if (peer === '@friedemannsommer/lcov-parser') {
  const { default: parse } = await import('@friedemannsommer/lcov-parser');
  const records = await parse({ from: createReadStream(file) });
  console.log(
    JSON.stringify({
      files: records.length,
      linesFound: sum(records, (r) => r.lines.instrumented),
      linesHit: sum(records, (r) => r.lines.hit),
    }),
  );
} else {
  throw new Error(`unknown peer ${peer}`);
}
