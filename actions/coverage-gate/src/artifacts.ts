import type { GitHubClient } from '@myco-gates/core';
import type { ArtifactApi } from '@myco-gates/coverage';

/**
 * The Actions API calls the baseline lookup needs, through the shared client (retry, throttling, timeouts).
 * @param client from core's `createGitHubClient`.
 * @param owner repository owner.
 * @param repo repository name.
 * @returns the implementation `findBaselineArtifact` uses.
 */
export function githubArtifactApi(client: GitHubClient, owner: string, repo: string): ArtifactApi {
  return {
    async listRunsForCommit(sha) {
      const { data } = await client.rest.actions.listWorkflowRunsForRepo({
        owner,
        repo,
        head_sha: sha,
        status: 'success',
        per_page: 20,
      });
      return data.workflow_runs.map((run) => ({ id: run.id, name: run.name, htmlUrl: run.html_url }));
    },
    async listRunArtifacts(runId) {
      const { data } = await client.rest.actions.listWorkflowRunArtifacts({
        owner,
        repo,
        run_id: runId,
        per_page: 100,
      });
      return data.artifacts.map((a) => ({ id: a.id, name: a.name, expired: a.expired }));
    },
    async downloadArtifact(artifactId) {
      const { data } = await client.rest.actions.downloadArtifact({
        owner,
        repo,
        artifact_id: artifactId,
        archive_format: 'zip',
      });
      return new Uint8Array(data as ArrayBuffer);
    },
  };
}
