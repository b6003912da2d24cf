/**
 * GitHub's refusals as DockhandErrors (DOCKHAND_E_GITHUB) that say what to
 * change: a wrong App ID or key, an App not installed on the repo, a missing
 * permission, a revoked token. Octokit's own messages name none of that.
 */
import { DockhandError } from "../model/errors.js";

export interface FailureContext {
  /** What dockhand was doing, e.g. `create the check run dockhand/production`. */
  what: string;
  /** `owner/name`. */
  repository: string;
  auth: "app" | "token";
  /** Set when the request was the App's own (JWT): then a 401 means the ID or the key. */
  asApp?: boolean;
}

const PERMISSIONS =
  "Checks: write, Commit statuses: write, Deployments: write, Pull requests: write, Issues: write, Contents: read";

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

function hint(status: number | undefined, message: string, ctx: FailureContext): string {
  if (ctx.asApp && status === 401) {
    return `GitHub refused the App's signed token (${message}): check that GITHUB_APP_ID is the App's numeric ID and that GITHUB_APP_PRIVATE_KEY is one of its current private keys (a deleted key stops working), and that this machine's clock is right`;
  }
  if (ctx.asApp && status === 404) {
    return `the GitHub App is not installed on ${ctx.repository}: install it (the App's settings ─▶ Install App) with access to that repository`;
  }
  if (status === 401) {
    return ctx.auth === "token"
      ? `GitHub refused GITHUB_TOKEN (${message}): it is wrong, expired or revoked; create a new one with access to ${ctx.repository}`
      : `GitHub refused the installation token (${message}); dockhand asks for a new one on the next report`;
  }
  if (status === 403 && /not accessible|permission/i.test(message)) {
    return `${ctx.auth === "app" ? "the GitHub App" : "GITHUB_TOKEN"} may not ${ctx.what} in ${ctx.repository} (${message}): grant it ${PERMISSIONS}`;
  }
  if (status === 404) {
    return `GitHub answered 404 to ${ctx.what} in ${ctx.repository}: the repository does not exist or ${ctx.auth === "app" ? "the App" : "GITHUB_TOKEN"} cannot see it`;
  }
  return `GitHub answered ${status ?? "nothing"} to ${ctx.what} in ${ctx.repository}: ${message}`;
}

export function gitHubFailure(err: unknown, ctx: FailureContext): DockhandError {
  if (err instanceof DockhandError) return err;
  const status = statusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  // A 5xx, a rate limit that outlasted the plugins' retries, or no answer at all: later may work.
  const transient = status === undefined || status >= 500 || status === 429 || status === 403;
  return new DockhandError("DOCKHAND_E_GITHUB", hint(status, message, ctx), { cause: err, transient });
}
