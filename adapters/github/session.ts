import { exportRateBudget } from './budget-metrics.js';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from './client.js';

export interface GitHubSession {
  octokit(): GitHubClient;
  /**
   * benchbot's own login, whose comments are its own and never triggers: the configured one, else
   * whoever the token or App authenticates as (one request, remembered; a failure is retried).
   */
  whoAmI(): Promise<string>;
}

/** The client is made on first use, so a worker without a token still serves what needs no GitHub. */
export function createGitHubSession(options: GitHubClientOptions): GitHubSession {
  const { github } = options.config;
  let client: GitHubClient | null = null;
  let login: Promise<string> | null = null;
  const octokit = () => {
    if (client === null) {
      client = createGitHubClient(options);
      exportRateBudget(client);
    }
    return client;
  };
  const whoAmI = () => {
    login ??= (async () => {
      if (github.botLogin) return github.botLogin;
      if (github.app)
        return `${(await octokit().rest.apps.getAuthenticated()).data?.slug ?? 'benchbot'}[bot]`;
      return (await octokit().rest.users.getAuthenticated()).data.login;
    })().catch((err: unknown) => {
      login = null;
      throw err;
    });
    return login;
  };
  return { octokit, whoAmI };
}
