import { setFlagsFromString } from 'node:v8';

// Imported first by index.ts, before anything allocates. The gate reads reports of tens of MB into many small
// objects; by default V8 keeps growing the young generation (up to 32-64 MB of semi-spaces on Node 20/24) while it
// parses, which is resident memory the runner pays for. Keeping the semi-spaces at their initial size costs no time
// here (measured by `npm run bench`: same wall time, ~25-35 MB less peak RSS on the 52 MB lcov).
setFlagsFromString('--semi-space-growth-factor=1');
