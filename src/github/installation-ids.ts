/**
 * Which installation of the GitHub App serves a repository: the one a
 * webhook named (`installation.id`), else asked once with the App's JWT.
 */
import type { Octokit } from "@octokit/core";
import { gitHubFailure } from "./github-errors.js";
import { splitRepository } from "./repository-name.js";

export class InstallationIds {
  private readonly known = new Map<string, number>();

  /** `app` authenticates as the App (auth-app's createAppAuth without an installation). */
  constructor(private readonly app: Octokit) {}

  remember(repository: string, installationId: number): void {
    this.known.set(repository, installationId);
  }

  /** The App's installation on `owner/name`; throws DOCKHAND_E_GITHUB with the fix when there is none. */
  async of(repository: string): Promise<number> {
    const known = this.known.get(repository);
    if (known !== undefined) return known;
    try {
      const { data } = await this.app.request("GET /repos/{owner}/{repo}/installation", splitRepository(repository));
      this.known.set(repository, data.id);
      return data.id;
    } catch (err) {
      throw gitHubFailure(err, { what: "find the App's installation", repository, auth: "app", asApp: true });
    }
  }
}
