/**
 * Real pods: a container's `command` + `args` run as a local child process (no shell) with the container's plain
 * `env` values, `PORT` set to a free port of its own, and `POD_NAME`/`POD_NAMESPACE`. Readiness comes from the
 * container's `readinessProbe.httpGet` against that port (no probe: ready once started); a process that exits is
 * restarted with a back-off, as the kubelet does, and shows as CrashLoopBackOff meanwhile.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { K8sObject } from './resources.js';

/** What the runner knows about one pod's process. */
export interface PodProcess {
  /** Local port handed to the process as `PORT`. */
  port: number;
  pid?: number;
  /** The process is running now. */
  running: boolean;
  /** The last readiness probe succeeded (or the container has none and is running). */
  ready: boolean;
  restarts: number;
  lastExitCode?: number;
  /** stdout and stderr, interleaved. */
  log: string;
}

interface Entry extends PodProcess {
  child?: ChildProcess;
  container: K8sObject;
  env: Record<string, string>;
  restartAt?: number;
  probing: boolean;
  stopped: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const LOG_LIMIT = 256 * 1024;

/** Runs and probes the processes of real pods. */
export class PodRunner {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Set<string>();

  /** The process of a pod (by uid), if it has one. */
  get(uid: string): PodProcess | undefined {
    const e = this.entries.get(uid);
    if (!e) return undefined;
    const { port, pid, running, ready, restarts, lastExitCode, log } = e;
    return { port, pid, running, ready, restarts, lastExitCode, log };
  }

  /** Starts the pod's first container when not started yet (asynchronously: the port is allocated first). */
  ensure(pod: K8sObject): void {
    const uid = pod.metadata.uid;
    if (this.entries.has(uid) || this.pending.has(uid)) return;
    const container = pod.spec?.containers?.[0];
    const argv: string[] = [...(container?.command ?? []), ...(container?.args ?? [])];
    if (!argv.length) return;
    this.pending.add(uid);
    void freePort().then((port) => {
      this.pending.delete(uid);
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        POD_NAME: pod.metadata.name,
        POD_NAMESPACE: pod.metadata.namespace,
        HOSTNAME: pod.metadata.name,
      };
      for (const e of container.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
      env.PORT = String(port);
      const entry: Entry = {
        port,
        running: false,
        ready: false,
        restarts: 0,
        log: '',
        container,
        env,
        probing: false,
        stopped: false,
      };
      this.entries.set(uid, entry);
      this.start(entry);
    });
  }

  private start(e: Entry): void {
    const argv: string[] = [...(e.container.command ?? []), ...(e.container.args ?? [])];
    const child = spawn(argv[0], argv.slice(1), {
      env: e.env,
      cwd: e.container.workingDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    e.child = child;
    e.pid = child.pid;
    e.running = true;
    e.ready = false;
    const append = (d: Buffer) => {
      e.log += d.toString('utf8');
      if (e.log.length > LOG_LIMIT) e.log = e.log.slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.on('error', (err) => {
      append(Buffer.from(`${err.message}\n`));
    });
    child.on('exit', (code) => {
      e.running = false;
      e.ready = false;
      e.lastExitCode = code ?? 137;
      e.child = undefined;
      if (e.stopped) return;
      // Kubelet-like back-off: 1 s, 2 s, 4 s … capped at 10 s (shortened for tests).
      e.restartAt = Date.now() + Math.min(10_000, 1000 * 2 ** e.restarts);
    });
  }

  /** Restarts exited processes whose back-off passed and probes readiness; call on every tick. */
  poll(): void {
    for (const e of this.entries.values()) {
      if (e.stopped) continue;
      if (!e.running && e.restartAt !== undefined && Date.now() >= e.restartAt) {
        e.restartAt = undefined;
        e.restarts++;
        this.start(e);
      }
      if (!e.running || e.probing) continue;
      const probe = e.container.readinessProbe?.httpGet;
      if (!probe) {
        e.ready = true;
        continue;
      }
      e.probing = true;
      // Whatever port the probe names, the process listens on its own PORT.
      const path = probe.path ?? '/';
      fetch(`http://127.0.0.1:${e.port}${path}`, { signal: AbortSignal.timeout(1000) })
        .then((res) => {
          e.ready = e.running && res.status >= 200 && res.status < 400;
          return res.body?.cancel();
        })
        .catch(() => {
          e.ready = false;
        })
        .finally(() => {
          e.probing = false;
        });
    }
  }

  /** Stops the process of a deleted pod. */
  remove(uid: string): void {
    const e = this.entries.get(uid);
    if (!e) return;
    e.stopped = true;
    e.child?.kill('SIGTERM');
    this.entries.delete(uid);
  }

  /** Uids with a process. */
  uids(): string[] {
    return [...this.entries.keys()];
  }

  /** Stops every process. */
  stopAll(): void {
    for (const uid of [...this.entries.keys()]) this.remove(uid);
  }
}
