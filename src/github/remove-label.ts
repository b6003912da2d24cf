/**
 * Takes a label off an issue or pull request (DELETE .../labels/{name}).
 * A label that is not there is no error: GitHub answers 404, and the label
 * being gone is what was asked for.
 */
import type { GitHubOctokitInstance } from "./github-client.js";
import { gitHubFailure } from "./github-errors.js";
import { splitRepository } from "./repository-name.js";

export async function removeLabel(
  octokit: GitHubOctokitInstance,
  repository: string,
  issue: number,
  name: string,
  auth: "app" | "token",
): Promise<"removed" | "absent"> {
  try {
    await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
      ...splitRepository(repository),
      issue_number: issue,
      name,
    });
    return "removed";
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return "absent";
    throw gitHubFailure(err, { what: `take the label "${name}" off #${issue}`, repository, auth });
  }
}
