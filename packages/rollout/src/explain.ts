import { GateError } from '@myco-gates/core';

/** A permission kubectl was refused, parsed from the API server's Forbidden message. */
export interface ForbiddenAccess {
  user: string;
  verb: string;
  resource: string;
  /** `''` for the core group. */
  apiGroup: string;
  namespace?: string;
}

const FORBIDDEN =
  /User "([^"]+)" cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/;
const UNREACHABLE =
  /Unable to connect to the server|connection refused|was refused|no such host|i\/o timeout|dial tcp|TLS handshake timeout|EOF$|connection reset|the server is currently unable|Client.Timeout exceeded|http2: client connection lost/im;

/**
 * Reads the verb, resource, API group and namespace out of a Kubernetes Forbidden message.
 * @param text kubectl's or helm's stderr.
 * @returns the refused access, or undefined when the text has no Forbidden message.
 * @example parseForbidden('… User "ci" cannot patch resource "deployments" in API group "apps" in the namespace "shop"')
 * // { user: 'ci', verb: 'patch', resource: 'deployments', apiGroup: 'apps', namespace: 'shop' }
 */
export function parseForbidden(text: string): ForbiddenAccess | undefined {
  const m = FORBIDDEN.exec(text);
  if (!m) return undefined;
  return { user: m[1], verb: m[2], resource: m[3], apiGroup: m[4] ?? '', namespace: m[5] };
}

/**
 * The RBAC rule that grants a refused access, as the fix of the error.
 * @param access what was refused.
 * @returns one sentence with a Role rule to add.
 */
export function rbacFix(access: ForbiddenAccess): string {
  const where = access.namespace ? `a Role in namespace "${access.namespace}"` : 'a ClusterRole';
  return (
    `grant "${access.user}" the verb \`${access.verb}\` on \`${access.resource}\`` +
    ` (${where}, rule \`{apiGroups: ["${access.apiGroup}"], resources: ["${access.resource}"], verbs: ["${access.verb}"]}\`,` +
    ' bound with a RoleBinding); docs/k8s-rollback.md#rbac lists every rule the action needs'
  );
}

/**
 * Whether kubectl or helm failed because the API server could not be reached.
 * @param text the tool's stderr.
 * @returns true for connection refused, DNS, TLS handshake and timeout failures.
 */
export function isUnreachable(text: string): boolean {
  return UNREACHABLE.test(text);
}

/**
 * Turns a failed kubectl/helm call into the error users see, with the fix: RBAC Forbidden (which verb on which
 * resource to grant), API server unreachable, unauthorized, object not found; anything else keeps the tool's message.
 * @param what what we were doing, e.g. `reading deployment/web`.
 * @param stderr the tool's stderr (already redacted by the caller).
 * @returns the error to throw.
 */
export function explainFailure(what: string, stderr: string): GateError {
  const text = stderr.trim().split(/\r?\n/).slice(-3).join(' ').slice(0, 1500);
  const forbidden = parseForbidden(stderr);
  if (forbidden)
    return new GateError(`RBAC forbids ${what}: ${forbidden.verb} ${forbidden.resource}`, { fix: rbacFix(forbidden) });
  if (/Unauthorized|must be logged in/i.test(stderr))
    return new GateError(`the API server rejected the credentials while ${what}`, {
      fix: 'the token or certificate of the kubeconfig is expired or wrong; refresh the cluster login step before this one',
    });
  if (isUnreachable(stderr))
    return new GateError(`the API server is unreachable while ${what}: ${text}`, {
      fix: 'check `kubeconfig`/`context` point to the right cluster, that the runner can reach it (network, VPN, firewall) and that the cluster is up; then re-run — the action is idempotent',
    });
  const notFound = /Error from server \(NotFound\): (.+?) not found/.exec(stderr);
  if (notFound)
    return new GateError(`${notFound[1]} not found while ${what}`, {
      fix: 'check `kind`, `name`, `namespace` and `context`',
    });
  return new GateError(`failed ${what}: ${text || 'no output'}`, { fix: 'see the kubectl/helm message above' });
}
