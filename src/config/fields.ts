/**
 * Field schemas shared by dockhand.yaml and apps/*.yaml. Each one gives a single
 * message for every way the value can be wrong ("expected ..., got ..."), so the
 * user reads what would be right rather than which internal check failed.
 */
import { z } from "zod";
import { canonicalIp } from "../model/index.js";
import { DURATION_PATTERN, parseDuration } from "./duration.js";
import { describeValue } from "./messages.js";

/** The `error` parameter of a zod schema or check: "expected <what>, got <value>". */
export function expected(what: string) {
  return { error: (issue: { input?: unknown }) => `expected ${what}, got ${describeValue(issue.input)}` };
}

const DNS_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DNS_NAME = `${DNS_LABEL}(?:\\.${DNS_LABEL})*`;
export const DNS_NAME_RE = new RegExp(`^(?=.{1,253}$)${DNS_NAME}$`);
export const HOSTNAME_RE = new RegExp(`^(?=.{1,253}$)(?:\\*\\.)?${DNS_NAME}$`);
export const APP_NAME_RE = /^[a-z][a-z0-9-]*$/;
export const HOST_NAME_RE = /^[a-z0-9][a-z0-9-]*$/;
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A deploy environment (`staging`): part of container and volume names, so short and plain; `pr-<n>` is a preview's. */
export const ENVIRONMENT_NAME_RE = /^(?!pr-\d+$)[a-z][a-z0-9-]{0,23}$/;
const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_RE = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

export function isAddress(text: string): boolean {
  return isIpAddress(text) || DNS_NAME_RE.test(text);
}

/** An IPv4 or IPv6 literal as Docker takes it in a port binding: no brackets, no zone. */
export function isIpAddress(text: string): boolean {
  return canonicalIp(text) !== undefined;
}

/** `host:port` or `[v6]:port`, as the proxy's listen address. */
export function isListenAddress(text: string): boolean {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d+)$/.exec(text);
  if (!match) return false;
  const host = match[1] ?? match[2] ?? "";
  return (match[1] !== undefined ? IPV6_RE.test(host) : isAddress(host)) && isPort(match[3] ?? "");
}

/** `local`, `unix:///path.sock`, `tcp://host:port` or `ssh://user@host[:port]` (docs/deploy-repo.md#dockhandyaml). */
export function isDockerEndpoint(text: string): boolean {
  if (text === "local") return true;
  if (text.startsWith("unix:///")) return !/\s/.test(text);
  if (text.startsWith("ssh://")) return isSshEndpoint(text);
  if (!text.startsWith("tcp://")) return false;
  return isListenAddress(text.slice("tcp://".length));
}

/**
 * `ssh://user@host[:port]`. No password: dockhand logs in with a key from its
 * own side (the SSH agent or DOCKHAND_SSH_KEY), never with one from git.
 */
export function isSshEndpoint(text: string): boolean {
  const match = /^ssh:\/\/([A-Za-z0-9_][A-Za-z0-9._-]*)@(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/@]+))(?::(\d+))?$/.exec(text);
  if (!match) return false;
  if (match[4] !== undefined && !isPort(match[4])) return false;
  return match[2] !== undefined ? IPV6_RE.test(match[2]) : isAddress(match[3] ?? "");
}

/**
 * A registry as an image reference starts: `host[:port]`. Docker takes the first
 * part of a reference as a registry only when it has a dot or a port or is
 * `localhost`, so a bare name like `acme` would be read as a Docker Hub user.
 */
export function isRegistryAddress(text: string): boolean {
  const match = /^([^:\s/]+)(?::(\d+))?$/.exec(text);
  if (!match) return false;
  const host = match[1] ?? "";
  if (match[2] !== undefined && !isPort(match[2])) return false;
  if (!IPV4_RE.test(host) && !DNS_NAME_RE.test(host)) return false;
  return match[2] !== undefined || host.includes(".") || host === "localhost";
}

/** Docker's repository path components: lowercase alphanumerics joined by `.`, `_`, `__` or dashes. */
export function isRepositoryPath(text: string): boolean {
  const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
  return text.split("/").every((part) => component.test(part));
}

/** A path inside the repo: relative, no `..`, so a build can never reach outside its commit. */
export function isRepoDirectory(text: string): boolean {
  if (text.startsWith("/") || text.includes("\\")) return false;
  return !text.split("/").some((part) => part === "..");
}

/** `./services/web/` and `services/web` name one directory; `.` is the repo root (`""` in snapshot trees). */
export function normaliseRepoDirectory(text: string): string {
  const parts = text.split("/").filter((part) => part !== "" && part !== ".");
  return parts.join("/");
}

const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+\/\S+$/i;
const SCP_LIKE_URL = /^[\w.-]+@[\w.-]+:\S+$/;

/**
 * A URL git can fetch, or an absolute path. A password or token in the URL is
 * refused: the URL ends up in plans, labels and logs, and credentials belong
 * to the machine's git (credential helper, SSH key), not to the deploy repo.
 */
export function isSourceRepoUrl(text: string): boolean {
  // ssh://git@host names a login, not a secret; in http(s) URLs user info is a token or a password.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(text) || /^https?:\/\/[^/\s]*@/i.test(text)) return false;
  return URL_WITH_SCHEME.test(text) || SCP_LIKE_URL.test(text) || /^\/\S+$/.test(text);
}

export function isBranchName(text: string): boolean {
  return /^[A-Za-z0-9._/-]+$/.test(text) && !/(^[-./]|[./]$|\.\.|\/\/|\.lock$)/.test(text);
}

export function duration(options: { positive?: boolean } = {}) {
  const e = expected('a duration like "2s"');
  // Text that is no duration at all fails the pattern; only real durations reach the zero check.
  const aboveZero = (text: string) => !options.positive || (parseDuration(text) ?? 1) > 0;
  return z
    .string(e)
    .regex(new RegExp(DURATION_PATTERN), e)
    .refine(aboveZero, expected('a duration above zero like "2s"'))
    .transform((text) => parseDuration(text) ?? 0);
}

export function wholeNumber(min: number, what: string) {
  const e = expected(what);
  return z.number(e).int(e).min(min, e);
}

export function port() {
  const e = expected("a port number from 1 to 65535");
  return z.number(e).int(e).min(1, e).max(65535, e);
}

export function text(what: string, pattern?: RegExp) {
  const e = expected(what);
  const base = z.string(e).min(1, e);
  return pattern ? base.regex(pattern, e) : base;
}

/** `pattern` is a loose outline for editors (JSON Schema); `test` is the real check. */
export function textMatching(what: string, test: (value: string) => boolean, pattern?: RegExp) {
  const e = expected(what);
  const base = z.string(e);
  return (pattern ? base.regex(pattern, e) : base).refine(test, e);
}

export function bool() {
  return z.boolean(expected("true or false"));
}

/**
 * A scalar that becomes a string. YAML turns `1.10` into the number 1.1; the
 * parser hands these maps the scalar's source text first (see stringifyScalars),
 * so the number and boolean branches only serve callers that skip YAML.
 */
export function scalarString() {
  return z
    .union([z.string(), z.number(), z.boolean()], expected("a string, number or boolean"))
    .transform((value) => String(value));
}

/** A map with a fixed set of keys; unknown keys are reported by the caller with the allowed ones. */
export function strictMap<T extends z.core.$ZodLooseShape>(shape: T, noun = "a map") {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, expected(`${noun} with keys ${keys}`));
}

export function stringMap(what: string, keyWhat: string, keyPattern: RegExp) {
  return z.record(z.string().regex(keyPattern, expected(keyWhat)), scalarString(), expected(what));
}
