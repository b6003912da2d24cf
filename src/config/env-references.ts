/**
 * References in env values: `${apps.<name>.host}`, `${apps.<name>.port}` and
 * `${apps.<name>.endpoints}` name where another app listens; `$$` is a literal
 * `$`. Any other `$` stays as written, so values that held one before keep it.
 * The planner resolves references from placement (docs/deploy-repo.md#a-whole-stack-workers-fixed-ports-and-references).
 */
import { ENV_REF_FIELDS, type EnvPart, type EnvRefField } from "../model/index.js";

const REFERENCE_RE = /^apps\.([a-z][a-z0-9-]*)\.([a-z]+)$/;
/** What starts a reference: anything after it must be one, so a typo is an error rather than text. */
const OPENING_RE = /^\$\{\s*apps\./;

export const REFERENCE_EXAMPLE = `\${apps.db.host}, \${apps.db.port} or \${apps.db.endpoints}`;

export type ParsedEnvValue = { parts: EnvPart[] } | { error: string };

/** The value as literal text and references, in order; adjacent text is joined. */
export function parseEnvValue(value: string): ParsedEnvValue {
  const parts: EnvPart[] = [];
  const text = (piece: string) => {
    if (piece === "") return;
    const last = parts.at(-1);
    if (typeof last === "string") parts[parts.length - 1] = last + piece;
    else parts.push(piece);
  };
  let at = 0;
  while (at < value.length) {
    const dollar = value.indexOf("$", at);
    if (dollar < 0) {
      text(value.slice(at));
      break;
    }
    text(value.slice(at, dollar));
    if (value[dollar + 1] === "$") {
      text("$");
      at = dollar + 2;
      continue;
    }
    if (!OPENING_RE.test(value.slice(dollar))) {
      text("$");
      at = dollar + 1;
      continue;
    }
    const close = value.indexOf("}", dollar);
    const written = close < 0 ? value.slice(dollar) : value.slice(dollar, close + 1);
    const match = close < 0 ? null : REFERENCE_RE.exec(value.slice(dollar + 2, close));
    const field = match?.[2];
    if (!match?.[1] || !isField(field)) {
      return { error: `expected a reference like ${REFERENCE_EXAMPLE} (write $$ for a literal $), got "${written}"` };
    }
    parts.push({ app: match[1], field });
    at = close + 1;
  }
  return { parts };
}

function isField(field: string | undefined): field is EnvRefField {
  return (ENV_REF_FIELDS as readonly string[]).includes(field ?? "");
}

/** The apps a value references, each once, in order of appearance. */
export function referencedApps(parts: readonly EnvPart[]): string[] {
  return [...new Set(parts.flatMap((p) => (typeof p === "string" ? [] : [p.app])))];
}

/**
 * Plain values (with `$$` read as `$`) and, apart, the values that reference
 * other apps; only called on validated env maps.
 */
export function splitEnvironment(env: Record<string, string>): {
  environment: Record<string, string>;
  envRefs?: Record<string, EnvPart[]>;
} {
  const environment: Record<string, string> = {};
  const envRefs: Record<string, EnvPart[]> = {};
  for (const [name, value] of Object.entries(env)) {
    const parsed = parseEnvValue(value);
    const parts = "parts" in parsed ? parsed.parts : [value];
    if (parts.every((p) => typeof p === "string")) environment[name] = parts.join("");
    else envRefs[name] = parts;
  }
  return { environment, ...(Object.keys(envRefs).length > 0 ? { envRefs } : {}) };
}
