// What a real cluster's network gives the sample app, for the test cluster whose pods are local processes: a Service
// (a stable address that forwards to the ready pods of a selector, as kube-proxy does) and Prometheus' Kubernetes pod
// discovery (a file_sd file listing the ready pods annotated `prometheus.io/scrape: 'true'`).
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { K8sObject, TestCluster } from '@myco-gates/testkit/cluster';

/** The ready pods of a namespace (optionally by label selector) with the local port of their process. */
export function readyPods(
  cluster: TestCluster,
  namespace: string,
  selector?: string,
): Array<{ pod: K8sObject; port: number }> {
  const ready: Array<{ pod: K8sObject; port: number }> = [];
  for (const pod of cluster.list('Pod', namespace, selector)) {
    if (pod.metadata.deletionTimestamp) continue;
    const process = cluster.podProcess(namespace, pod.metadata.name);
    if (process?.ready) ready.push({ pod, port: process.port });
  }
  return ready;
}

/** A local Service: forwards every HTTP request to the next ready pod of the selector (round robin). */
export interface ServiceProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a Service for `selector` in `namespace` on a free 127.0.0.1 port. With no ready pod it answers 503, as a
 * Service without endpoints refuses connections.
 */
export async function startServiceProxy(
  cluster: TestCluster,
  namespace: string,
  selector: string,
): Promise<ServiceProxy> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const pods = readyPods(cluster, namespace, selector);
    if (!pods.length) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`no ready endpoints for ${selector}`);
      return;
    }
    const { port } = pods[next++ % pods.length];
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream connection failed');
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Keeps a Prometheus file_sd file in step with the ready pods annotated for scraping (every `everyMs`), labelled like
 * Prometheus' kubernetes_sd relabelling usually does: `namespace`, `pod`, `app`.
 * @returns a function that stops the updates.
 */
export function writePodDiscovery(cluster: TestCluster, namespace: string, file: string, everyMs = 1000): () => void {
  let last = '';
  const update = () => {
    const groups = readyPods(cluster, namespace)
      .filter(({ pod }) => pod.metadata.annotations?.['prometheus.io/scrape'] === 'true')
      .map(({ pod, port }) => ({
        targets: [`127.0.0.1:${port}`],
        labels: {
          namespace,
          pod: pod.metadata.name,
          app: pod.metadata.labels?.['app.kubernetes.io/name'] ?? '',
          __metrics_path__: pod.metadata.annotations?.['prometheus.io/path'] ?? '/metrics',
        },
      }));
    const text = JSON.stringify(groups, null, 2);
    if (text === last) return;
    last = text;
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  update();
  const timer = setInterval(update, everyMs);
  return () => clearInterval(timer);
}
