import { parseAllDocuments } from 'yaml';
import type { KubeObject, WorkloadKind } from './history.js';

/** The Helm release that owns a workload, from Helm's ownership label and annotations. */
export interface HelmOwner {
  release: string;
  namespace: string;
}

/** One entry of `helm history -o json`. */
export interface HelmRevision {
  revision: number;
  status: string;
  chart?: string;
  app_version?: string;
  description?: string;
  updated?: string;
}

/**
 * The Helm release owning a workload: label `app.kubernetes.io/managed-by=Helm` and annotations
 * `meta.helm.sh/release-name` / `meta.helm.sh/release-namespace` (set by Helm 3 and 4 on every object).
 * @param workload the workload object.
 * @returns the release, or undefined when Helm does not own it.
 */
export function helmOwner(workload: KubeObject): HelmOwner | undefined {
  const labels = workload.metadata.labels ?? {};
  const annotations = workload.metadata.annotations ?? {};
  const release = annotations['meta.helm.sh/release-name'];
  if (labels['app.kubernetes.io/managed-by'] !== 'Helm' || !release) return undefined;
  return {
    release,
    namespace: annotations['meta.helm.sh/release-namespace'] || workload.metadata.namespace || 'default',
  };
}

interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
}

/**
 * What identifies a pod template across a chart's manifest and the cluster's defaulted copy: per container its name,
 * image, command, args and plain env values (the API server adds defaults, so whole templates never compare equal).
 * @param template a pod template.
 * @returns a stable string.
 */
export function templateFingerprint(template: unknown): string {
  const spec = (template as { spec?: { containers?: Container[]; initContainers?: Container[] } })?.spec ?? {};
  const norm = (list: Container[] = []) =>
    list
      .map((c) => ({
        name: c.name,
        image: c.image,
        command: c.command ?? [],
        args: c.args ?? [],
        env: (c.env ?? []).filter((e) => e.value !== undefined).map((e) => `${e.name}=${e.value}`),
      }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return JSON.stringify({ containers: norm(spec.containers), init: norm(spec.initContainers) });
}

const KIND_NAME: Record<WorkloadKind, string> = {
  deployment: 'Deployment',
  statefulset: 'StatefulSet',
  daemonset: 'DaemonSet',
};

/**
 * The pod template of one workload in a rendered release manifest (`helm get manifest`).
 * @param manifest multi-document YAML.
 * @param kind the workload kind.
 * @param name the workload name.
 * @returns the template, or undefined when the manifest has no such workload.
 */
export function templateInManifest(manifest: string, kind: WorkloadKind, name: string): unknown {
  for (const doc of parseAllDocuments(manifest)) {
    const obj = doc.toJS() as KubeObject | null;
    if (obj?.kind === KIND_NAME[kind] && obj.metadata?.name === name) return obj.spec?.template;
  }
  return undefined;
}

/**
 * The Helm revision to roll back to: the newest release revision (other than the deployed one) whose manifest
 * held the target pod template.
 * @param history `helm history -o json`.
 * @param manifests the manifest of each revision looked at, by revision number.
 * @param kind workload kind.
 * @param name workload name.
 * @param targetTemplate the pod template of the target revision, from the cluster.
 * @returns the Helm revision, or undefined when no revision held it.
 */
export function matchHelmRevision(
  history: HelmRevision[],
  manifests: Map<number, string>,
  kind: WorkloadKind,
  name: string,
  targetTemplate: unknown,
): HelmRevision | undefined {
  const wanted = templateFingerprint(targetTemplate);
  const deployed = history.find((h) => h.status === 'deployed')?.revision;
  const newestFirst = [...history].sort((a, b) => b.revision - a.revision);
  const candidates = [
    ...newestFirst.filter((h) => h.revision !== deployed),
    ...newestFirst.filter((h) => h.revision === deployed),
  ];
  for (const h of candidates) {
    const manifest = manifests.get(h.revision);
    if (manifest === undefined) continue;
    const template = templateInManifest(manifest, kind, name);
    if (template !== undefined && templateFingerprint(template) === wanted) return h;
  }
  return undefined;
}
