import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A running Prometheus server started by {@link startPrometheus}. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Its storage folder (removed by stop()). */
  storage: string;
  /** Runs an instant query and returns the result vector. */
  query(expr: string, time?: Date): Promise<PrometheusSample[]>;
  /** Waits until `expr` returns at least one sample, or throws after `timeoutMs`. */
  waitFor(expr: string, timeoutMs?: number): Promise<PrometheusSample[]>;
  /** Kills the process (by PID) and removes the storage. */
  stop(): Promise<void>;
}

/** One sample of an instant vector. */
export interface PrometheusSample {
  metric: Record<string, string>;
  value: number;
}

/** What to start Prometheus with. */
export interface PrometheusOptions {
  /** Scrape jobs: job name -> `host:port` targets. */
  scrape?: Record<string, string[]>;
  /**
   * Jobs whose targets come from a Prometheus file-based service-discovery file (JSON `[{targets, labels}]`, re-read
   * every 5 s), e.g. the one the test cluster writes for its ready pods: job name -> file path.
   */
  fileSd?: Record<string, string>;
  /** Rule files to load (absolute paths). */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval; short by default so tests see data within seconds. */
  interval?: string;
  /** OpenMetrics text backfilled into storage with promtool before start (ends with `# EOF`). */
  backfill?: string;
  /** Retention for backfilled history; defaults to 45d so 30-day SLO windows fit. */
  retention?: string;
}

/**
 * Makes sure Debian's Prometheus and promtool are installed; installs them with apt-get when missing and we are root.
 * @returns the paths of `prometheus` and `promtool`.
 * @throws when they are missing and can't be installed, with the command that fixes it.
 */
export function ensurePrometheus(): { prometheus: string; promtool: string } {
  const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
  if (!which('prometheus') || !which('promtool')) {
    if (process.getuid?.() !== 0)
      throw new Error('Prometheus is not installed: run `sudo apt-get install -y --no-install-recommends prometheus`');
    execFileSync(
      'sh',
      [
        '-c',
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus',
      ],
      {
        stdio: 'ignore',
      },
    );
  }
  return { prometheus: which('prometheus'), promtool: which('promtool') };
}

/**
 * A free TCP port on 127.0.0.1.
 * @returns the port number.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real Prometheus as a plain process: its own config, a fresh temp storage folder, a 127.0.0.1 port.
 * Optionally backfills history with `promtool tsdb create-blocks-from openmetrics` first, which is how SLO tests get
 * hours or days of deterministic series instantly.
 * @param options scrape targets, rule files, backfill.
 * @returns the running server; call stop() in afterAll.
 * @example const prom = await startPrometheus({ scrape: { backend: ['127.0.0.1:3000'] } });
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const { prometheus, promtool } = ensurePrometheus();
  const storage = mkdtempSync(join(tmpdir(), 'myco-prom-'));
  const interval = options.interval ?? '1s';
  if (options.backfill !== undefined) {
    const input = join(storage, 'backfill.om');
    writeFileSync(input, options.backfill);
    const result = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, join(storage, 'data')], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`promtool backfill failed: ${result.stderr || result.stdout}`);
  }
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      ...Object.entries(options.scrape ?? {}).map(([job, targets]) => ({
        job_name: job,
        static_configs: [{ targets }],
      })),
      ...Object.entries(options.fileSd ?? {}).map(([job, file]) => ({
        job_name: job,
        file_sd_configs: [{ files: [file], refresh_interval: '5s' }],
      })),
    ],
  };
  const configFile = join(storage, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const port = await freePort();
  const child: ChildProcess = spawn(
    prometheus,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(storage, 'data')}`,
      `--storage.tsdb.retention.time=${options.retention ?? '45d'}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;

  const query = async (expr: string, time?: Date): Promise<PrometheusSample[]> => {
    const params = new URLSearchParams({ query: expr });
    if (time) params.set('time', String(time.getTime() / 1000));
    const response = await fetch(`${url}/api/v1/query?${params}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: any[] };
    };
    if (body.status !== 'success') throw new Error(`Prometheus query failed: ${body.error} — ${expr}`);
    const result = body.data?.result ?? [];
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: Number(result[1]) }];
    return result.map((s: { metric: Record<string, string>; value: [number, string] }) => ({
      metric: s.metric,
      value: Number(s.value[1]),
    }));
  };

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(storage, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(storage, { recursive: true, force: true });
      throw new Error(`Prometheus exited with ${child.exitCode}:\n${log}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Prometheus did not become ready in 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const waitFor = async (expr: string, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const samples = await query(expr);
      if (samples.length) return samples;
      if (Date.now() > until) throw new Error(`no data for \`${expr}\` after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  return { url, port, storage, query, waitFor, stop };
}
