/**
 * Checks one request against its operation in GitHub's REST description:
 * path parameters, query (no unknown keys, required ones present, values of
 * the declared types) and the JSON body (the operation's schema, plus no
 * top-level keys the schema does not name: GitHub ignores those silently,
 * which hides typos). Schemas compile lazily, once per operation.
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import {
  deref,
  type OpenApiOperation,
  type OpenApiParameter,
  operationParameters,
  responseSchema,
  restDescription,
} from "./rest-description.js";

type AjvClass = typeof import("ajv").default;
type AjvInstance = InstanceType<AjvClass>;
const require = createRequire(import.meta.url);
const Ajv = require("ajv").default as AjvClass;
const addFormats = require("ajv-formats").default as (ajv: AjvInstance) => void;

const COMPONENTS_ID = "github-components";
const instances: { bodies?: AjvInstance; params?: AjvInstance } = {};
let processedComponents: unknown;
const compiled = new Map<string, ValidateFunction>();

function makeAjv(coerceTypes: boolean): AjvInstance {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes });
  addFormats(ajv);
  processedComponents ??= nullableEnums(restDescription().components);
  const components = processedComponents;
  ajv.addSchema({ $id: COMPONENTS_ID, components }, undefined, undefined, false);
  return ajv;
}

/** `#/components/...` refs inside a fragment point at the registered components schema. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${COMPONENTS_ID}#/`)) as object;
}

/**
 * OpenAPI 3.0's `nullable` as Ajv reads it: beside an `enum` null is allowed
 * too (GitHub answers `conclusion: null`), and without a `type` (beside a
 * `$ref` or `allOf`) it means "this, or null".
 */
function nullableEnums(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullableEnums);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = nullableEnums(v);
  if (out.nullable !== true) return out;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.type !== undefined) return out;
  const { nullable: _nullable, ...rest } = out;
  return { anyOf: [rest, { type: "null" }] };
}

function validator(key: string, schema: object, coerce: boolean): ValidateFunction {
  let found = compiled.get(key);
  if (!found) {
    const which = coerce ? "params" : "bodies";
    const ajv = instances[which] ?? makeAjv(coerce);
    instances[which] = ajv;
    found = ajv.compile(rebase(nullableEnums(schema) as object));
    compiled.set(key, found);
  }
  return found;
}

function describe(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? e.keyword}`.trim());
}

function checkParameter(op: OpenApiOperation, p: OpenApiParameter, value: string | undefined): string[] {
  if (value === undefined) return p.required ? [`${p.in} parameter ${p.name} is required`] : [];
  if (!p.schema) return [];
  const holder = { value };
  const validate = validator(`${op.operationId}:${p.in}:${p.name}`, { properties: { value: p.schema } }, true);
  return validate(holder) ? [] : describe(`${p.in} parameter ${p.name}`, validate.errors);
}

/** Top-level keys a body schema names, or undefined when it allows any. */
function knownKeys(schema: object): Set<string> | undefined {
  const s = deref(schema as { $ref: string }) as Record<string, unknown>;
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) return undefined;
  const keys = new Set(Object.keys((s.properties as object | undefined) ?? {}));
  for (const branch of ["oneOf", "anyOf", "allOf"]) {
    for (const sub of (s[branch] as object[] | undefined) ?? []) {
      const more = knownKeys(sub);
      if (!more) return undefined;
      for (const k of more) keys.add(k);
    }
  }
  return keys.size > 0 ? keys : undefined;
}

function checkBody(op: OpenApiOperation, body: unknown, contentType: string | undefined): string[] {
  const media = op.requestBody?.content["application/json"];
  if (body === undefined) return op.requestBody?.required ? ["a JSON body is required"] : [];
  if (!media?.schema) return ["this operation takes no body"];
  if (!contentType?.startsWith("application/json"))
    return [`content-type must be application/json, got ${contentType}`];
  const validate = validator(`${op.operationId}:body`, media.schema, false);
  const problems = validate(body) ? [] : describe("body", validate.errors);
  const keys = knownKeys(media.schema);
  if (keys && typeof body === "object" && body !== null && !Array.isArray(body)) {
    for (const key of Object.keys(body)) if (!keys.has(key)) problems.push(`body has unknown key ${key}`);
  }
  return problems;
}

export interface CheckedRequest {
  operation: OpenApiOperation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  contentType: string | undefined;
}

/** Every way the request differs from the description; empty when it is valid. */
export function checkRequest(request: CheckedRequest): string[] {
  const { operation: op } = request;
  const declared = operationParameters(op);
  const problems: string[] = [];
  for (const p of declared.filter((d) => d.in === "path"))
    problems.push(...checkParameter(op, p, request.params[p.name]));
  for (const p of declared.filter((d) => d.in === "query")) {
    problems.push(...checkParameter(op, p, request.query.get(p.name) ?? undefined));
  }
  const queryNames = new Set(declared.filter((d) => d.in === "query").map((d) => d.name));
  for (const key of new Set(request.query.keys())) {
    if (!queryNames.has(key)) problems.push(`query parameter ${key} is not in the description`);
  }
  problems.push(...checkBody(op, request.body, request.contentType));
  return problems;
}

/** Whether the fake's own answer fits the description (a fake that lies makes tests lie). */
export function checkResponse(op: OpenApiOperation, status: number, body: unknown): string[] {
  const schema = responseSchema(op, status);
  if (!schema) return op.responses[String(status)] || status >= 400 ? [] : [`status ${status} is not described`];
  const validate = validator(`${op.operationId}:response:${status}`, schema, false);
  return validate(body) ? [] : describe(`response ${status}`, validate.errors);
}
