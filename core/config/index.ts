export { parseDurationSeconds } from './duration.js';
export {
  applyEnvOverrides,
  checkEffectiveConfig,
  type EnvOverrideResult,
} from './env-overrides.js';
export {
  findRepo,
  temporalUiUrl,
  triggerContext,
  watchedRepos,
} from './lookup.js';
export { type ConfigIssue, type ConfigResult, formatConfigIssues, parseConfig } from './parse.js';
export { formatConfigPath } from './path.js';
export {
  AUTHOR_ASSOCIATIONS,
  type BenchbotConfig,
  type BenchmarkConfig,
  NAME_PATTERN,
  REPO_PERMISSIONS,
  type RepoConfig,
  SCHEDULE_OVERLAP_POLICIES,
  type ScheduleConfig,
  SUPPORTED_CONFIG_VERSIONS,
} from './schema.js';
