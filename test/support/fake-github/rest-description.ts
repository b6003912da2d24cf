/**
 * GitHub's REST API description (@octokit/openapi, api.github.com), indexed
 * for the fake: which operation a method and path is, and the pieces of the
 * description that say what a valid request and a plausible answer look like.
 * Loaded once per process (13 MB of JSON, about 0.3 s).
 */
import { createRequire } from "node:module";

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: object;
}

interface MediaType {
  schema?: object;
  examples?: Record<string, { $ref?: string; value?: unknown }>;
  example?: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  parameters?: Array<OpenApiParameter | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
}

export interface RestDescription {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>>;
}

/** One operation a request matched, with its decoded path parameters. */
export interface MatchedOperation {
  method: string;
  template: string;
  operation: OpenApiOperation;
  params: Record<string, string>;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  literals: number;
  operation: OpenApiOperation;
}

const require = createRequire(import.meta.url);
let description: RestDescription | undefined;
let routes: Map<string, Route[]> | undefined;

export function restDescription(): RestDescription {
  description ??= require("@octokit/openapi/generated/api.github.com.json") as RestDescription;
  return description;
}

/** `#/components/schemas/x` inside the description. */
export function resolvePointer(ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are used by GitHub's description, got ${ref}`);
  let at: unknown = restDescription();
  for (const part of ref.slice(2).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    at = (at as Record<string, unknown>)[key];
    if (at === undefined) throw new Error(`$ref ${ref} points at nothing`);
  }
  return at;
}

export function deref<T>(value: T | { $ref: string }): T {
  let at: unknown = value;
  while (typeof at === "object" && at !== null && "$ref" in at && typeof at.$ref === "string") {
    at = resolvePointer(at.$ref);
  }
  return at as T;
}

function buildRoutes(): Map<string, Route[]> {
  const out = new Map<string, Route[]>();
  for (const [template, ops] of Object.entries(restDescription().paths)) {
    for (const [method, operation] of Object.entries(ops)) {
      if (typeof operation !== "object" || !operation || !("responses" in operation)) continue;
      const names: string[] = [];
      const source = template
        .split("/")
        .map((segment) =>
          segment.replace(/\{([^}]+)\}|[^{]+/g, (whole, name: string | undefined) => {
            if (name === undefined) return whole.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
            names.push(name);
            return "([^/]+)";
          }),
        )
        .join("/");
      const route: Route = {
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        names,
        literals: template.split("/").filter((s) => s !== "" && !s.includes("{")).length,
        operation,
      };
      const list = out.get(route.method) ?? [];
      list.push(route);
      out.set(route.method, list);
    }
  }
  // A literal segment beats a parameter: /repos/{o}/{r}/check-runs before /repos/{o}/{r}/{x}.
  for (const list of out.values()) list.sort((a, b) => b.literals - a.literals || a.names.length - b.names.length);
  return out;
}

/** The operation `method path` is, or undefined when GitHub has none. `path` excludes the query. */
export function matchOperation(method: string, path: string): MatchedOperation | undefined {
  routes ??= buildRoutes();
  for (const route of routes.get(method.toUpperCase()) ?? []) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { method: route.method, template: route.template, operation: route.operation, params };
  }
  return undefined;
}

export function operationParameters(operation: OpenApiOperation): OpenApiParameter[] {
  return (operation.parameters ?? []).map((p) => deref<OpenApiParameter>(p));
}

/** The JSON schema of the operation's answer with `status`, if it has one. */
export function responseSchema(operation: OpenApiOperation, status: number): object | undefined {
  const response = operation.responses[String(status)];
  if (!response) return undefined;
  return deref(response).content?.["application/json"]?.schema;
}

/** The description's first example answer for `status`, deep-copied; undefined when it has none. */
export function responseExample(operation: OpenApiOperation, status: number): unknown {
  const response = operation.responses[String(status)];
  const media = response ? deref(response).content?.["application/json"] : undefined;
  if (!media) return undefined;
  const first = Object.values(media.examples ?? {})[0];
  const value = first ? deref<{ value?: unknown }>(first).value : media.example;
  return value === undefined ? undefined : structuredClone(value);
}

/** `components.examples[name].value`, deep-copied. */
export function componentExample(name: string): unknown {
  const example = restDescription().components.examples?.[name] as { value?: unknown } | undefined;
  if (example?.value === undefined) throw new Error(`GitHub's description has no example ${name}`);
  return structuredClone(example.value);
}
