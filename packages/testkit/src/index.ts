export {
  type ArtifactSeed,
  type DeploymentSeed,
  type PullRequestFileSeed,
  type PullRequestSeed,
  type StubCheckRun,
  type StubComment,
  type StubDeployment,
  type StubDeploymentStatus,
  type StubRelease,
  type WorkflowRunSeed,
} from './github-objects.js';
export {
  type ContractViolation,
  type GitHubFault,
  type GitHubStub,
  type GitHubStubOptions,
  type RecordedRequest,
  startGitHubStub,
} from './github-stub.js';
export { GitHubContract, loadGitHubContract, routeKey } from './openapi-contract.js';
export {
  inputEnvName,
  nodeBinary,
  type NodeRuntime,
  repoRoot,
  runAction,
  type RunActionOptions,
  type RunActionResult,
} from './run-action.js';
export { deepMerge, type PayloadOverride, webhookPayload } from './webhook.js';
export {
  type Annotation,
  type AnnotationLevel,
  parseFileCommands,
  parseWorkflowCommands,
  type WorkflowCommands,
} from './workflow-commands.js';
export { tempRepo, type TempRepo } from './temp-repo.js';
