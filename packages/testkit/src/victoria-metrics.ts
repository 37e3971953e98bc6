import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type PrometheusSample } from './prometheus.js';

/** Where Debian's `victoria-metrics` package puts the single-node binary. */
const BINARY = '/usr/bin/victoria-metrics';

/** A running single-node VictoriaMetrics started by {@link startVictoriaMetrics}. */
export interface VictoriaMetricsServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Its storage folder (removed by stop()). */
  storage: string;
  /** Base URL of the Prometheus query API (`<promUrl>/api/v1/query`); the same as `url` for single-node. */
  promUrl: string;
  /**
   * Imports Prometheus text exposition (`metric{l="v"} 1 1700000000000`, millisecond timestamps) and waits until the
   * newest imported sample is queryable.
   * @throws when VictoriaMetrics rejected or dropped rows (it answers 204 regardless), or the data never shows up.
   */
  importText(text: string): Promise<void>;
  /** Runs an instant query (POST, form body) and returns the result vector. */
  query(expr: string, time?: Date): Promise<PrometheusSample[]>;
  /** Kills the process (by PID; SIGTERM, then SIGKILL after 5 s) and removes the storage. */
  stop(): Promise<void>;
}

/** What to start VictoriaMetrics with. */
export interface VictoriaMetricsOptions {
  /** Prometheus text exposition (millisecond timestamps) imported before the server is returned. */
  import?: string;
  /** `-retentionPeriod`: number of months, or with an h/d/w/y suffix; defaults to `100y` so any backfill fits. */
  retention?: string;
}

/**
 * Makes sure Debian's VictoriaMetrics (1.79) is installed; installs it with apt-get when missing and we are root.
 * @returns the path of the `victoria-metrics` binary.
 * @throws when it is missing and can't be installed, with the command that fixes it.
 */
export function ensureVictoriaMetrics(): string {
  if (existsSync(BINARY)) return BINARY;
  const fix = 'sudo apt-get install -y --no-install-recommends victoria-metrics';
  if (process.getuid?.() !== 0) throw new Error(`VictoriaMetrics is not installed: run \`${fix}\``);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'victoria-metrics'], {
    stdio: 'ignore',
    env,
  });
  if (!existsSync(BINARY)) throw new Error(`apt-get did not install ${BINARY}: run \`${fix}\``);
  return BINARY;
}

/**
 * The newest sample of an exposition text: its series (the exposition series syntax is a valid MetricsQL selector)
 * and timestamp in ms (none for a sample without one, which is stored at "now").
 */
function newestSample(text: string): { selector: string; timestamp?: number } | undefined {
  let newest: { selector: string; timestamp?: number } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let end = line.search(/[\s{]/);
    if (end === -1) continue;
    if (line[end] === '{') {
      // find the closing brace outside quoted label values
      let quoted = false;
      for (end += 1; end < line.length; end++) {
        const c = line[end];
        if (quoted && c === '\\') end++;
        else if (c === '"') quoted = !quoted;
        else if (c === '}' && !quoted) break;
      }
      end++;
    }
    const selector = line.slice(0, end);
    const [, timestamp] = line.slice(end).trim().split(/\s+/);
    // a sample without a timestamp is stored at "now", newer than any backfill
    if (timestamp === undefined) return { selector };
    const ts = Number(timestamp);
    if (!newest || ts > newest.timestamp!) newest = { selector, timestamp: ts };
  }
  return newest;
}

/**
 * Starts a real single-node VictoriaMetrics as a plain process: a fresh temp storage folder, a 127.0.0.1 port, long
 * retention, and no response cache or latency offset, so imported history is queryable right away. Optionally imports
 * Prometheus text exposition first, which is how SLO tests get hours or days of deterministic series instantly.
 * Note that its `rate`/`increase` don't extrapolate like Prometheus': they use the last sample before the window.
 * @param options data to import, retention.
 * @returns the running server; call stop() in afterAll.
 * @example const vm = await startVictoriaMetrics({ import: 'http_requests_total{code="200"} 5 1700000000000\n' });
 */
export async function startVictoriaMetrics(options: VictoriaMetricsOptions = {}): Promise<VictoriaMetricsServer> {
  const binary = ensureVictoriaMetrics();
  const storage = mkdtempSync(join(tmpdir(), 'myco-vm-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${storage}`,
      `-retentionPeriod=${options.retention ?? '100y'}`,
      // don't serve cached (pre-import) query results
      '-search.disableCache',
      // by default queries ignore the last 30 s, which hides freshly imported "now" samples
      '-search.latencyOffset=0s',
      // don't wait 7 s for idle keep-alive connections (fetch keeps them) on SIGTERM
      '-http.maxGracefulShutdownDuration=1s',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.on('error', (error) => append(Buffer.from(`${error}\n`)));
  const url = `http://127.0.0.1:${port}`;

  const query = async (expr: string, time?: Date): Promise<PrometheusSample[]> => {
    const params = new URLSearchParams({ query: expr });
    if (time) params.set('time', String(time.getTime() / 1000));
    const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body: params });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: any[] };
    };
    if (body.status !== 'success') throw new Error(`VictoriaMetrics query failed: ${body.error} — ${expr}`);
    const result = body.data?.result ?? [];
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: Number(result[1]) }];
    return result.map((s: { metric: Record<string, string>; value: [number, string] }) => ({
      metric: s.metric,
      value: Number(s.value[1]),
    }));
  };

  /** VictoriaMetrics' own counters of Prometheus-text rows it parsed, and of rows it rejected or dropped. */
  const rowCounters = async (): Promise<{ seen: number; dropped: number }> => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const counters = { seen: 0, dropped: 0 };
    for (const match of metrics.matchAll(/^(vm_rows_(?:inserted|invalid|ignored)_total)\{([^}]*)\} (\S+)$/gm)) {
      const [, name, labels, value] = match;
      const n = Number(value);
      if (name === 'vm_rows_ignored_total') counters.dropped += n;
      else if (labels === 'type="prometheus"') {
        counters.seen += n; // inserted counts parsed rows, including the ones ignored later
        if (name === 'vm_rows_invalid_total') counters.dropped += n;
      }
    }
    return counters;
  };

  const importText = async (text: string) => {
    const rows = text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#')).length;
    const before = await rowCounters();
    const response = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: text });
    if (!response.ok) throw new Error(`VictoriaMetrics import failed: ${response.status} ${await response.text()}`);
    // It answers 204 before its counters (published about once a second) account for the rows, and it only logs
    // unparsable lines and rows outside the retention; wait for the counters to tell.
    const until = Date.now() + 10_000;
    for (;;) {
      const after = await rowCounters();
      if (after.seen - before.seen >= rows) {
        const dropped = after.dropped - before.dropped;
        if (dropped > 0)
          throw new Error(`VictoriaMetrics dropped ${dropped} imported rows (bad line or outside retention):\n${log}`);
        break;
      }
      if (Date.now() > until)
        throw new Error(
          `VictoriaMetrics accounted for ${after.seen - before.seen} of ${rows} rows after 10 s:\n${log}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // flush buffered rows to searchable parts, then make sure the newest sample shows
    await fetch(`${url}/internal/force_flush`);
    const newest = newestSample(text);
    if (!newest) return;
    const expr = `timestamp(${newest.selector})`;
    const visibleBy = Date.now() + 10_000;
    for (;;) {
      const samples =
        newest.timestamp === undefined
          ? await query(expr)
          : await query(expr, new Date(newest.timestamp)).then((s) =>
              s.filter((sample) => Math.round(sample.value * 1000) === newest.timestamp),
            );
      if (samples.length) return;
      if (Date.now() > visibleBy) throw new Error(`imported data not visible after 10 s (\`${expr}\`):\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(storage, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(storage, { recursive: true, force: true });
      throw new Error(`VictoriaMetrics exited with ${child.exitCode ?? child.signalCode}:\n${log}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`VictoriaMetrics did not become ready in 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const server = { url, port, storage, promUrl: url, importText, query, stop };
  if (options.import !== undefined) {
    try {
      await importText(options.import);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return server;
}
