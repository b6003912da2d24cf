/**
 * Error classes with stable codes. Code is what programs compare; message is
 * what people read. Never compare errors by message text.
 */

export const ERROR_CODES = {
  DOCKHAND_E_CONFIG: { status: 422, summary: "the deploy repo's configuration is invalid" },
  DOCKHAND_E_PLAN: { status: 422, summary: "the change cannot be planned" },
  DOCKHAND_E_HOST_UNREACHABLE: { status: 503, summary: "a Docker host could not be reached" },
  DOCKHAND_E_BUILD: { status: 500, summary: "an image build failed" },
  DOCKHAND_E_HEALTH: { status: 500, summary: "a new container did not become healthy" },
  DOCKHAND_E_HOOK: { status: 500, summary: "a deploy hook failed" },
  DOCKHAND_E_DOCKER: { status: 502, summary: "a Docker engine refused an operation" },
  DOCKHAND_E_REGISTRY: {
    status: 502,
    summary: "a registry refused a push or pull (credentials missing or wrong) or has no such image",
  },
  DOCKHAND_E_GIT: { status: 502, summary: "the deploy repo could not be read" },
  DOCKHAND_E_UNTRUSTED_REF: {
    status: 422,
    summary:
      "a push named a commit that is not on the tracked branch (of the deploy repo or an app's source repository)",
  },
  DOCKHAND_E_USAGE: { status: 400, summary: "a command or request was used wrongly" },
  DOCKHAND_E_NOT_FOUND: { status: 404, summary: "no such environment, app or job" },
  DOCKHAND_E_PROMOTION: {
    status: 409,
    summary: "the source environment has not proved the commit: failed, unhealthy, restarted or nothing deployed",
  },
  DOCKHAND_E_QUEUE: { status: 503, summary: "the queue (Redis) could not take or change a job; try again" },
  DOCKHAND_E_PROXY: { status: 502, summary: "a proxy or the route store refused an operation" },
  DOCKHAND_E_GITHUB: { status: 502, summary: "GitHub refused a request or the GitHub credentials are wrong" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DockhandError extends Error {
  readonly code: ErrorCode;
  /** Whether trying again later could succeed (an engine that was down); config errors are not. */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; transient?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = "DockhandError";
    this.code = code;
    this.transient = options.transient ?? false;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** One problem in the deploy repo, located so an editor can jump to it. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path inside the file, e.g. `health.timeout` or `hosts.beta.address`. */
  path: string;
  message: string;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}

export class ConfigError extends DockhandError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super("DOCKHAND_E_CONFIG", `invalid deploy repo (${count}):\n${issues.map(formatConfigIssue).join("\n")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** A step of a rollout failed; carries what a person needs to see why. */
export class RolloutError extends DockhandError {
  readonly app: string;
  readonly step: string;
  readonly logsTail: string;
  /** The health checks' recent results (the image's HEALTHCHECK log, or dockhand's own probes), oldest first. */
  readonly healthLog: string;

  constructor(
    code: ErrorCode,
    message: string,
    details: {
      app: string;
      step: string;
      logsTail?: string;
      healthLog?: string;
      cause?: unknown;
      transient?: boolean;
    },
  ) {
    super(code, message, { cause: details.cause, transient: details.transient });
    this.name = "RolloutError";
    this.app = details.app;
    this.step = details.step;
    this.logsTail = details.logsTail ?? "";
    this.healthLog = details.healthLog ?? "";
  }
}
