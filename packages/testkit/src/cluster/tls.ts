/**
 * A throw-away certificate authority and a server certificate for 127.0.0.1/localhost, made with the `openssl`
 * binary (argument arrays, no shell), and the kubeconfig that points kubectl and helm at the test cluster.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** PEM material of the test cluster's TLS. */
export interface TlsMaterial {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * Generates a CA and a server certificate (EC P-256, valid two days) in `dir`. Throws a clear error when `openssl`
 * is not installed.
 */
export function generateTls(dir: string): TlsMaterial {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('the test cluster needs the openssl binary to make its certificates');
      throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=myco-test-cluster-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  run(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=kube-apiserver']);
  writeFileSync(
    f('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc',
      '',
    ].join('\n'),
  );
  run([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
  ]);
  return {
    caCert: readFileSync(f('ca.crt'), 'utf8'),
    cert: readFileSync(f('server.crt'), 'utf8'),
    key: readFileSync(f('server.key'), 'utf8'),
  };
}

/** One kubeconfig user: a bearer token. */
export interface KubeUser {
  name: string;
  token: string;
}

/** Writes a kubeconfig with one cluster, one context per user (the first is current), and returns its path. */
export function writeKubeconfig(
  path: string,
  opts: { server: string; caCert: string; users: KubeUser[]; namespace?: string },
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: 'myco-test',
        cluster: {
          server: opts.server,
          'certificate-authority-data': Buffer.from(opts.caCert).toString('base64'),
        },
      },
    ],
    users: opts.users.map((u) => ({ name: u.name, user: { token: u.token } })),
    contexts: opts.users.map((u) => ({
      name: u.name,
      context: { cluster: 'myco-test', user: u.name, namespace: opts.namespace ?? 'default' },
    })),
    'current-context': opts.users[0].name,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}
