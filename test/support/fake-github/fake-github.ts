/**
 * A local GitHub for tests: an HTTP server that matches every request to an
 * operation of GitHub's REST description, checks it against that operation
 * (path, query, body), checks the credentials the way GitHub does (an App's
 * JWT for /app endpoints, an installation token or a personal token
 * elsewhere), answers from its memory or the description's examples, and
 * records everything. A test asserts `violations` is empty: every request
 * the code made was one GitHub would take.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkAppJwt, type TestApp } from "./app-credentials.js";
import { type Actor, type FakeAnswer, type FakeRequest, FakeResources } from "./fake-resources.js";
import { checkRequest, checkResponse } from "./request-checker.js";
import { type MatchedOperation, matchOperation, responseExample } from "./rest-description.js";

export interface FakeGitHubOptions {
  /** Enables App auth: JWTs must be signed by this App's key. */
  app?: TestApp;
  /** `owner/name` ─▶ installation id of the App there. */
  installations?: Record<string, number>;
  /** Personal access tokens the fake accepts. */
  tokens?: string[];
  /** The App's slug (GET /app); what it writes is authored by `<slug>[bot]`. Default `dockhand-test`. */
  appSlug?: string;
  /** The login of each personal token's user (GET /user, comment authors). Default DEFAULT_TOKEN_LOGIN. */
  tokenLogins?: Record<string, string>;
  /** Lifetime of installation tokens it issues. Default one hour, like GitHub's. */
  tokenTtlMs?: number;
  /**
   * A new installation token is refused (401 Bad credentials) for this long
   * after it was issued, as GitHub does until the token has reached every
   * replica (auth-app retries such a 401 in a token's first seconds). Default 0.
   */
  newTokenDelayMs?: number;
  /** Served under this path, like GitHub Enterprise's `/api/v3`. Default none. */
  pathPrefix?: string;
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  /** Without the prefix and the query. */
  path: string;
  query: Record<string, string>;
  operationId?: string;
  body?: unknown;
  /** The credential used (a token, or `jwt`). */
  credential?: string;
  status: number;
  violations: string[];
}

export interface IssuedToken {
  token: string;
  installationId: number;
  issuedAt: number;
  expiresAt: number;
}

export interface FakeGitHub {
  /** What GITHUB_API_URL should be. */
  url: string;
  requests: RecordedRequest[];
  /** Every request that does not fit the description, and every answer of the fake that does not. */
  violations: string[];
  resources: FakeResources;
  issuedTokens: IssuedToken[];
  /** The next `times` requests of `operationId` get `answer` instead (rate limits, outages). */
  failNext(operationId: string, answer: FakeAnswer, times?: number): void;
  /** Requests of one operation, in order. */
  calls(operationId: string): RecordedRequest[];
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";
/** The user of a personal token the options do not name. */
export const DEFAULT_TOKEN_LOGIN = "dockhand-operator";
const DEFAULT_APP_SLUG = "dockhand-test";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, answer: FakeAnswer): void {
  const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    ...answer.headers,
  });
  res.end(text);
}

function error(status: number, message: string): FakeAnswer {
  return { status, body: { message, documentation_url: DOCS, status: String(status) } };
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const now = options.now ?? Date.now;
  const prefix = options.pathPrefix ?? "";
  const resources = new FakeResources(now);
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const issuedTokens: IssuedToken[] = [];
  const failures: Array<{ operationId: string; answer: FakeAnswer; times: number }> = [];
  const ttl = options.tokenTtlMs ?? 60 * 60 * 1000;
  const slug = options.appSlug ?? DEFAULT_APP_SLUG;

  /** Who GitHub would say sent a request with this credential. */
  function actorOf(credential: string | undefined): Actor | undefined {
    if (credential === undefined || credential === "jwt") return undefined;
    if (issuedTokens.some((t) => t.token === credential)) return { login: `${slug}[bot]`, type: "Bot" };
    return { login: options.tokenLogins?.[credential] ?? DEFAULT_TOKEN_LOGIN, type: "User" };
  }
  let origin = "";

  function authenticate(
    match: MatchedOperation,
    header: string | undefined,
  ): { credential?: string; refusal?: FakeAnswer } {
    const [scheme = "", value = ""] = (header ?? "").split(/\s+/, 2);
    const appOnly = match.template.startsWith("/app") || match.operation.operationId === "apps/get-repo-installation";
    if (appOnly) {
      if (!options.app) return { refusal: error(401, "Bad credentials") };
      if (scheme.toLowerCase() !== "bearer") {
        return { refusal: error(401, "A JSON web token could not be decoded") };
      }
      const check = checkAppJwt(value, options.app, Math.floor(now() / 1000));
      return check.ok ? { credential: "jwt" } : { refusal: error(401, check.message) };
    }
    if (!["token", "bearer"].includes(scheme.toLowerCase())) return { refusal: error(401, "Requires authentication") };
    const issued = issuedTokens.find((t) => t.token === value);
    if (issued && now() - issued.issuedAt < (options.newTokenDelayMs ?? 0)) {
      return { credential: value, refusal: error(401, "Bad credentials") };
    }
    if (issued && issued.expiresAt > now()) return { credential: value };
    if (options.tokens?.includes(value)) return { credential: value };
    return { refusal: error(401, "Bad credentials") };
  }

  function appAnswer(request: FakeRequest): FakeAnswer | undefined {
    if (request.operationId === "apps/create-installation-access-token") {
      const installationId = Number(request.params.installation_id);
      if (!Object.values(options.installations ?? {}).includes(installationId)) return error(404, "Not Found");
      const token: IssuedToken = {
        token: `ghs_${randomBytes(18).toString("hex")}`,
        installationId,
        issuedAt: now(),
        expiresAt: now() + ttl,
      };
      issuedTokens.push(token);
      const example = responseExample(request.operation, 201) as Record<string, unknown>;
      const expires_at = new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z");
      return { status: 201, body: { ...example, token: token.token, expires_at } };
    }
    if (request.operationId === "apps/get-authenticated") {
      const example = responseExample(request.operation, 200) as Record<string, unknown>;
      return { status: 200, body: { ...example, id: options.app?.appId, slug, name: slug } };
    }
    if (request.operationId === "apps/get-repo-installation") {
      const id = options.installations?.[`${request.params.owner}/${request.params.repo}`];
      if (id === undefined) return error(404, "Not Found");
      return {
        status: 200,
        body: { ...(responseExample(request.operation, 200) as object), id, app_id: options.app?.appId },
      };
    }
    return undefined;
  }

  function takeFailure(operationId: string): FakeAnswer | undefined {
    const index = failures.findIndex((f) => f.operationId === operationId);
    const found = failures[index];
    if (!found) return undefined;
    found.times -= 1;
    if (found.times <= 0) failures.splice(index, 1);
    return found.answer;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      violations: [],
    };
    requests.push(record);
    const answer = (a: FakeAnswer) => {
      record.status = a.status;
      violations.push(...record.violations.map((v) => `${method} ${path}: ${v}`));
      send(res, a);
    };
    if (!url.pathname.startsWith(prefix)) {
      record.violations.push(`path is outside ${prefix}`);
      return answer(error(404, "Not Found"));
    }
    const match = matchOperation(method, path);
    if (!match) {
      record.violations.push("no operation of GitHub's REST description has this method and path");
      return answer(error(404, "Not Found"));
    }
    record.operationId = match.operation.operationId;
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      record.violations.push("body is not JSON");
      return answer(error(400, "Problems parsing JSON"));
    }
    record.body = body;
    if (!req.headers["user-agent"]) record.violations.push("GitHub requires a User-Agent header");
    const problems = checkRequest({
      operation: match.operation,
      params: match.params,
      query: url.searchParams,
      body,
      contentType: req.headers["content-type"],
    });
    if (problems.length > 0) {
      record.violations.push(...problems);
      return answer(error(422, `Validation Failed: ${problems.join("; ")}`));
    }
    const auth = authenticate(match, req.headers.authorization);
    record.credential = auth.credential;
    if (auth.refusal) return answer(auth.refusal);
    const failure = takeFailure(match.operation.operationId);
    if (failure) return answer(failure);
    const request: FakeRequest = {
      operationId: match.operation.operationId,
      operation: match.operation,
      params: match.params,
      query: url.searchParams,
      body,
      baseUrl: `${origin}${url.pathname}`,
      actor: actorOf(auth.credential),
    };
    const result = appAnswer(request) ?? resources.handle(request) ?? exampleAnswer(match);
    const sent = result.body === undefined ? undefined : JSON.parse(JSON.stringify(result.body));
    for (const v of checkResponse(match.operation, result.status, sent))
      record.violations.push(`the fake's own answer: ${v}`);
    return answer({ ...result, body: sent });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      violations.push(`the fake failed: ${String(err)}`);
      send(res, error(500, "fake GitHub failed"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}${prefix}`,
    requests,
    violations,
    resources,
    issuedTokens,
    failNext(operationId, answer, times = 1) {
      failures.push({ operationId, answer, times });
    },
    calls: (operationId) => requests.filter((r) => r.operationId === operationId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An operation the fake keeps no memory of: the description's example for its first success status. */
function exampleAnswer(match: MatchedOperation): FakeAnswer {
  const status = Number(Object.keys(match.operation.responses).find((s) => /^2\d\d$/.test(s)) ?? 200);
  return { status, body: responseExample(match.operation, status) };
}
