/**
 * `npm run test-cluster -- --kubeconfig FILE [--tick-ms 200] [--ready-after-ticks 1] [--version v1.32.0] [--real-pods]`:
 * starts the test cluster, copies its kubeconfig (bearer token over https) to FILE, prints the address, and runs
 * until SIGINT/SIGTERM, then stops cleanly (server closed, pod processes ended, temporary files removed).
 */
import { copyFileSync, chmodSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestCluster } from './index.js';

const USAGE =
  'usage: npm run test-cluster -- --kubeconfig FILE [--tick-ms 200] [--ready-after-ticks 1] [--version v1.32.0] [--real-pods]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'tick-ms': { type: 'string' },
      'ready-after-ticks': { type: 'string' },
      version: { type: 'string' },
      'real-pods': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.kubeconfig) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const target = resolve(values.kubeconfig);
  const cluster = await startTestCluster({
    tickMs: values['tick-ms'] === undefined ? undefined : Number(values['tick-ms']),
    readyAfterTicks: values['ready-after-ticks'] === undefined ? undefined : Number(values['ready-after-ticks']),
    version: values.version,
    realPods: values['real-pods'],
  });
  copyFileSync(cluster.kubeconfig, target);
  chmodSync(target, 0o600);
  console.log(`test cluster at ${cluster.url}`);
  console.log(`kubeconfig written to ${target} (contexts: ${cluster.users.map((u) => u.name).join(', ')})`);
  console.log('stop with Ctrl-C');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    console.log(`stopped (${signal})`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The cluster's timer is unref'd; this keeps the process alive until a signal.
  setInterval(() => undefined, 1 << 30);
}

await main();
