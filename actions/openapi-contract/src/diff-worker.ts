// The diff worker's entry, bundled on its own into dist/diff-worker/. main.ts forks it as a low-priority child process
// so loading and diffing the two specs runs on the runner's second core while Spectral lints on the first. It carries
// only the loader and the diff engine, so it starts in milliseconds instead of evaluating Spectral's 9 MB again.
import { runDiffJob, type DiffJob, type DiffJobResult } from '@myco-gates/contract/diff-job';

/** What crosses back to the parent: the result, or the error's fields (ContractInputError's location and fix). */
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

async function answer(job: DiffJob): Promise<DiffWorkerMessage> {
  try {
    return { ok: true, result: await runDiffJob(job) };
  } catch (error) {
    const { name, message, stack, file, line, column, fix } = error as SerializedError;
    return { ok: false, error: { name, message, stack, file, line, column, fix } };
  }
}

// One job per process: answer it, then let the process end.
process.once('message', (job: DiffJob) => {
  void answer(job).then((message) => process.send!(message, () => process.disconnect()));
});
