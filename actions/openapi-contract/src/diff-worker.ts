// The diff worker's entry, bundled on its own into dist/diff-worker/: main.ts starts it on a worker thread so loading
// and diffing the two specs runs on the runner's second core while Spectral lints on the first. It carries only the
// loader and the diff engine, so it starts in milliseconds instead of evaluating Spectral's 9 MB a second time.
import { parentPort, workerData } from 'node:worker_threads';
import { runDiffJob, type DiffJob, type DiffJobResult } from '@myco-gates/contract/diff-job';

/** What crosses back to the main thread: the result, or the error's fields (ContractInputError's location and fix). */
export type DiffWorkerMessage = { ok: true; result: DiffJobResult } | { ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  file?: string;
  line?: number;
  column?: number;
  fix?: string;
}

if (parentPort) {
  const port = parentPort;
  try {
    port.postMessage({ ok: true, result: await runDiffJob((workerData as { job: DiffJob }).job) } as DiffWorkerMessage);
  } catch (error) {
    const e = error as SerializedError;
    const { name, message, stack, file, line, column, fix } = e;
    port.postMessage({ ok: false, error: { name, message, stack, file, line, column, fix } } as DiffWorkerMessage);
  }
}
