/**
 * The fake's memory of what was written to it (check runs, commit statuses,
 * issue comments with their authors, labels on issues and pull requests,
 * deployments and their statuses), and answers built from the
 * description's own examples with these fields put in, so a reader of the
 * answer sees what a reader of GitHub's would.
 */
import { componentExample, type OpenApiOperation, responseExample } from "./rest-description.js";

export interface FakeRequest {
  operationId: string;
  operation: OpenApiOperation;
  params: Record<string, string>;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are checked against the description before they get here
  body: any;
  baseUrl: string;
  /** Who sent it, as GitHub would attribute what it writes; undefined for the App's own JWT. */
  actor?: Actor;
}

export interface Actor {
  login: string;
  type: "User" | "Bot";
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CheckRunRecord {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  external_id?: string;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
}

export interface StatusRecord {
  id: number;
  repo: string;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issue: number;
  body: string;
  author: Actor;
  created_at: string;
  updated_at: string;
}

export interface DeploymentRecord {
  id: number;
  repo: string;
  sha: string;
  ref: string;
  environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  statuses: Array<{ id: number; state: string; environment_url?: string; description: string; created_at: string }>;
}

const PAGE_DEFAULT = 30;

function page<T>(req: FakeRequest, items: T[]): { items: T[]; link?: string } {
  const perPage = Math.min(Number(req.query.get("per_page") ?? PAGE_DEFAULT), 100);
  const number = Number(req.query.get("page") ?? 1);
  const slice = items.slice((number - 1) * perPage, number * perPage);
  if (number * perPage >= items.length) return { items: slice };
  const next = new URLSearchParams(req.query);
  next.set("page", String(number + 1));
  return { items: slice, link: `<${req.baseUrl}?${next}>; rel="next"` };
}

export class FakeResources {
  readonly checkRuns: CheckRunRecord[] = [];
  readonly statuses: StatusRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly deployments: DeploymentRecord[] = [];
  /** `owner/name#number` ─▶ the names of the labels on that issue or pull request. */
  readonly labels = new Map<string, string[]>();
  private nextId = 1000;

  constructor(private readonly now: () => number) {}

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  iso(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /** Answers for the operations dockhand uses; the fake answers others from the description's example. */
  handle(req: FakeRequest): FakeAnswer | undefined {
    const repo = `${req.params.owner}/${req.params.repo}`;
    switch (req.operationId) {
      case "checks/create":
        return this.createCheckRun(req, repo);
      case "checks/update":
        return this.updateCheckRun(req, repo);
      case "checks/list-for-ref":
        return this.listCheckRuns(req, repo);
      case "repos/create-commit-status":
        return this.createStatus(req, repo);
      case "repos/list-commit-statuses-for-ref":
        return this.listStatuses(req, repo);
      case "issues/list-comments":
        return this.listComments(req, repo);
      case "issues/create-comment":
        return this.createComment(req, repo);
      case "issues/update-comment":
        return this.updateComment(req, repo);
      case "issues/remove-label":
        return this.removeLabel(req, repo);
      case "users/get-authenticated":
        return this.authenticatedUser(req);
      case "repos/create-deployment":
        return this.createDeployment(req, repo);
      case "repos/list-deployments":
        return this.listDeployments(req, repo);
      case "repos/create-deployment-status":
        return this.createDeploymentStatus(req, repo);
      case "repos/list-deployment-statuses":
        return this.listDeploymentStatuses(req, repo);
      default:
        return undefined;
    }
  }

  private example(req: FakeRequest, status: number, fields: object): Record<string, unknown> {
    const base = responseExample(req.operation, status);
    const one = Array.isArray(base) ? base[0] : base;
    return { ...(one as object), ...fields };
  }

  private checkRunJson(req: FakeRequest, run: CheckRunRecord): unknown {
    const url = `${req.baseUrl.replace(/\/(check-runs|commits)\/.*$|\/check-runs$/, "")}/check-runs/${run.id}`;
    const { annotations, ...output } = run.output;
    return Object.assign(componentExample("check-run") as object, {
      ...run,
      repo: undefined,
      url,
      html_url: `https://github.com/${run.repo}/runs/${run.id}`,
      details_url: run.details_url ?? null,
      external_id: run.external_id ?? null,
      output: { ...output, annotations_count: annotations.length, annotations_url: `${url}/annotations` },
      pull_requests: [],
    });
  }

  private createCheckRun(req: FakeRequest, repo: string): FakeAnswer {
    const b = req.body;
    const completed = b.status === "completed" || b.conclusion !== undefined;
    const run: CheckRunRecord = {
      id: this.id(),
      repo,
      name: b.name,
      head_sha: b.head_sha,
      status: completed ? "completed" : (b.status ?? "queued"),
      conclusion: b.conclusion ?? null,
      details_url: b.details_url,
      external_id: b.external_id,
      started_at: b.started_at ?? this.iso(),
      completed_at: completed ? (b.completed_at ?? this.iso()) : null,
      output: { title: null, summary: null, text: null, annotations: [] },
    };
    this.applyOutput(run, b.output);
    this.checkRuns.push(run);
    return { status: 201, body: this.checkRunJson(req, run) };
  }

  private applyOutput(run: CheckRunRecord, output: Record<string, unknown> | undefined): void {
    if (!output) return;
    run.output.title = (output.title as string | undefined) ?? run.output.title;
    run.output.summary = (output.summary as string | undefined) ?? run.output.summary;
    run.output.text = (output.text as string | undefined) ?? run.output.text;
    // GitHub appends annotations across updates.
    run.output.annotations.push(...((output.annotations as unknown[] | undefined) ?? []));
  }

  private updateCheckRun(req: FakeRequest, repo: string): FakeAnswer {
    const run = this.checkRuns.find((r) => r.repo === repo && r.id === Number(req.params.check_run_id));
    if (!run) return notFound();
    const b = req.body;
    if (b.conclusion !== undefined || b.status === "completed") {
      run.status = "completed";
      run.conclusion = b.conclusion ?? run.conclusion;
      run.completed_at = b.completed_at ?? this.iso();
    } else if (b.status !== undefined) {
      run.status = b.status;
    }
    if (b.details_url !== undefined) run.details_url = b.details_url;
    this.applyOutput(run, b.output);
    return { status: 200, body: this.checkRunJson(req, run) };
  }

  private listCheckRuns(req: FakeRequest, repo: string): FakeAnswer {
    const name = req.query.get("check_name");
    const runs = this.checkRuns
      .filter((r) => r.repo === repo && r.head_sha === req.params.ref && (name === null || r.name === name))
      .reverse();
    const { items, link } = page(req, runs);
    const check_runs = items.map((r) => this.checkRunJson(req, r) as object);
    return { status: 200, body: { total_count: runs.length, check_runs }, headers: link ? { link } : {} };
  }

  private statusJson(req: FakeRequest, s: StatusRecord, status: number): unknown {
    return this.example(req, status, { ...s, repo: undefined, sha: undefined, updated_at: s.created_at });
  }

  private createStatus(req: FakeRequest, repo: string): FakeAnswer {
    const b = req.body;
    const record: StatusRecord = {
      id: this.id(),
      repo,
      sha: req.params.sha ?? "",
      state: b.state,
      context: b.context ?? "default",
      description: b.description ?? null,
      target_url: b.target_url ?? null,
      created_at: this.iso(),
    };
    this.statuses.push(record);
    return { status: 201, body: this.statusJson(req, record, 201) };
  }

  private listStatuses(req: FakeRequest, repo: string): FakeAnswer {
    const found = this.statuses.filter((s) => s.repo === repo && s.sha === req.params.ref).reverse();
    const { items, link } = page(req, found);
    return { status: 200, body: items.map((s) => this.statusJson(req, s, 200)), headers: link ? { link } : {} };
  }

  private commentJson(req: FakeRequest, c: CommentRecord, status: number): unknown {
    const user = this.example(req, status, {}).user as Record<string, unknown>;
    return this.example(req, status, {
      id: c.id,
      body: c.body,
      user: { ...user, login: c.author.login, type: c.author.type, id: userId(c.author.login) },
      created_at: c.created_at,
      updated_at: c.updated_at,
      html_url: `https://github.com/${c.repo}/issues/${c.issue}#issuecomment-${c.id}`,
    });
  }

  private listComments(req: FakeRequest, repo: string): FakeAnswer {
    const found = this.comments.filter((c) => c.repo === repo && c.issue === Number(req.params.issue_number));
    const { items, link } = page(req, found);
    return { status: 200, body: items.map((c) => this.commentJson(req, c, 200)), headers: link ? { link } : {} };
  }

  /** Seeds a comment someone else wrote (tests: the marker search must skip it); `author` is a login. */
  addComment(repo: string, issue: number, body: string, author = "octocat"): CommentRecord {
    const at = this.iso();
    const type: Actor["type"] = author.endsWith("[bot]") ? "Bot" : "User";
    const comment = {
      id: this.id(),
      repo,
      issue,
      body,
      author: { login: author, type },
      created_at: at,
      updated_at: at,
    };
    this.comments.push(comment);
    return comment;
  }

  private createComment(req: FakeRequest, repo: string): FakeAnswer {
    const author = req.actor?.login ?? "octocat";
    const comment = this.addComment(repo, Number(req.params.issue_number), req.body.body, author);
    return { status: 201, body: this.commentJson(req, comment, 201) };
  }

  /** Puts a label on an issue or pull request (tests: as a maintainer would). */
  addLabel(repo: string, issue: number, name: string): void {
    const key = `${repo}#${issue}`;
    const names = this.labels.get(key) ?? [];
    if (!names.includes(name)) this.labels.set(key, [...names, name]);
  }

  labelsOf(repo: string, issue: number): string[] {
    return this.labels.get(`${repo}#${issue}`) ?? [];
  }

  private removeLabel(req: FakeRequest, repo: string): FakeAnswer {
    const issue = Number(req.params.issue_number);
    const names = this.labelsOf(repo, issue);
    // GitHub matches label names without regard to case.
    const name = (req.params.name ?? "").toLowerCase();
    if (!names.some((n) => n.toLowerCase() === name)) {
      return { status: 404, body: { message: "Label does not exist", documentation_url: DOCS, status: "404" } };
    }
    const left = names.filter((n) => n.toLowerCase() !== name);
    this.labels.set(`${repo}#${issue}`, left);
    const label = (responseExample(req.operation, 200) as Array<Record<string, unknown>>)[0];
    return { status: 200, body: left.map((n, i) => ({ ...label, id: i + 1, name: n })) };
  }

  private authenticatedUser(req: FakeRequest): FakeAnswer {
    if (!req.actor || req.actor.type === "Bot") {
      return {
        status: 403,
        body: { message: "Resource not accessible by integration", documentation_url: DOCS, status: "403" },
      };
    }
    return {
      status: 200,
      body: this.example(req, 200, { login: req.actor.login, type: "User", id: userId(req.actor.login) }),
    };
  }

  private updateComment(req: FakeRequest, repo: string): FakeAnswer {
    const comment = this.comments.find((c) => c.repo === repo && c.id === Number(req.params.comment_id));
    if (!comment) return notFound();
    comment.body = req.body.body;
    comment.updated_at = this.iso();
    return { status: 200, body: this.commentJson(req, comment, 200) };
  }

  private deploymentJson(req: FakeRequest, d: DeploymentRecord, status: number): unknown {
    const { statuses: _statuses, repo: _repo, ...fields } = d;
    return this.example(req, status, { ...fields, original_environment: d.environment, payload: {}, task: "deploy" });
  }

  private createDeployment(req: FakeRequest, repo: string): FakeAnswer {
    const b = req.body;
    const deployment: DeploymentRecord = {
      id: this.id(),
      repo,
      sha: b.ref,
      ref: b.ref,
      environment: b.environment ?? "production",
      description: b.description ?? null,
      transient_environment: b.transient_environment ?? false,
      production_environment: b.production_environment ?? (b.environment ?? "production") === "production",
      created_at: this.iso(),
      statuses: [],
    };
    this.deployments.push(deployment);
    return { status: 201, body: this.deploymentJson(req, deployment, 201) };
  }

  private listDeployments(req: FakeRequest, repo: string): FakeAnswer {
    const env = req.query.get("environment");
    const sha = req.query.get("sha");
    const found = this.deployments
      .filter((d) => d.repo === repo && (env === null || d.environment === env) && (sha === null || d.sha === sha))
      .reverse();
    const { items, link } = page(req, found);
    return { status: 200, body: items.map((d) => this.deploymentJson(req, d, 200)), headers: link ? { link } : {} };
  }

  private createDeploymentStatus(req: FakeRequest, repo: string): FakeAnswer {
    const deployment = this.deployments.find((d) => d.repo === repo && d.id === Number(req.params.deployment_id));
    if (!deployment) return notFound();
    const b = req.body;
    const status = {
      id: this.id(),
      state: b.state as string,
      ...(b.environment_url ? { environment_url: b.environment_url as string } : {}),
      description: (b.description as string | undefined) ?? "",
      created_at: this.iso(),
    };
    deployment.statuses.push(status);
    return { status: 201, body: this.deploymentStatusJson(req, 201, status, deployment) };
  }

  /** The example's own environment_url is dropped when this status has none. */
  private deploymentStatusJson(
    req: FakeRequest,
    code: number,
    status: DeploymentRecord["statuses"][number],
    deployment: DeploymentRecord,
  ): unknown {
    const json = this.example(req, code, {
      ...status,
      environment: deployment.environment,
      updated_at: status.created_at,
    });
    if (status.environment_url === undefined) delete json.environment_url;
    return json;
  }

  private listDeploymentStatuses(req: FakeRequest, repo: string): FakeAnswer {
    const deployment = this.deployments.find((d) => d.repo === repo && d.id === Number(req.params.deployment_id));
    if (!deployment) return notFound();
    const items = [...deployment.statuses].reverse().map((s) => this.deploymentStatusJson(req, 200, s, deployment));
    return { status: 200, body: page(req, items).items };
  }
}

const DOCS = "https://docs.github.com/rest";

/** A stable numeric id per login. */
function userId(login: string): number {
  let id = 7;
  for (const c of login) id = (id * 31 + c.charCodeAt(0)) % 1_000_000_007;
  return id;
}

export function notFound(): FakeAnswer {
  return {
    status: 404,
    body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
  };
}
