/**
 * App keys that shape the container beyond image, port and env (issue 4):
 * secrets, hooks, resources, volumes, command and stopTimeout. Relations a
 * schema cannot say (a volume is either named or a bind, targets once) are
 * checked in check-container-keys.ts.
 */
import { z } from "zod";
import { DEFAULTS } from "./defaults.js";
import { bool, duration, ENV_NAME_RE, expected, strictMap, text } from "./fields.js";

/** A size like `256m`: a whole number with an optional unit b, k, m or g (powers of 1024), as `docker run --memory`. */
const SIZE_RE = /^(\d+)([bkmg]?)$/i;
const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function parseSize(text: string): number | undefined {
  const match = SIZE_RE.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (SIZE_UNITS[(match[2] ?? "").toLowerCase()] ?? 1);
}

/** Docker refuses less than 6 MiB. */
const MIN_MEMORY_BYTES = 6 * 1024 ** 2;

const sizeWhat = 'a size of at least 6m like "256m" or "1g"';

function memory() {
  const e = expected(sizeWhat);
  return z
    .union([z.string(), z.number()], e)
    .refine((value) => (parseSize(String(value)) ?? 0) >= MIN_MEMORY_BYTES, e)
    .transform((value) => parseSize(String(value)) ?? 0);
}

function cpus() {
  const e = expected("a number of CPUs above 0 like 0.5 or 2");
  return z.number(e).gt(0, e).max(1024, e);
}

/**
 * A command as a list (exec form), or one string run by `/bin/sh -c` (shell
 * form), as in a Dockerfile.
 */
function commandField(what: string) {
  const e = expected(what);
  return z
    .union([z.string().min(1), z.array(z.string(), e).min(1)], e)
    .transform((value) => (typeof value === "string" ? ["/bin/sh", "-c", value] : value));
}

const ABSOLUTE_PATH_RE = /^\/\S*$/;

const volumeSchema = strictMap(
  {
    name: text('a volume name of letters, digits, "_", "." and "-" like "data"', /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)
      .optional()
      .describe("A named volume dockhand creates: one per slot, or one per host with shared: true."),
    source: text('an absolute path on the host like "/etc/ssl/certs"', ABSOLUTE_PATH_RE)
      .optional()
      .describe("A directory of the host, mounted read-only (instead of name)."),
    target: text('an absolute path in the container like "/data"', ABSOLUTE_PATH_RE).describe(
      "Where it appears in the container.",
    ),
    shared: bool().optional().describe("Named volumes only: one volume per host shared by every slot on it."),
    readOnly: bool().optional().describe("Named volumes only: mount read-only. Binds are always read-only."),
  },
  "a volume",
);

export const containerKeys = {
  secrets: z
    .array(
      text('a secret name of letters, digits and "_", not starting with a digit, like "DATABASE_URL"', ENV_NAME_RE),
      expected("a list of secret names like [DATABASE_URL]"),
    )
    .optional()
    .describe(
      "Env vars whose values come from DOCKHAND_SECRETS_DIR (<env>/<app>/<NAME>, else <app>/<NAME>, else <NAME>); never from the repo.",
    ),
  hooks: strictMap({
    beforeDeploy: commandField("a command as a list like [sh, -c, ./migrate] or a string")
      .optional()
      .describe("Runs once in a container of the new image (same env and secrets) before any slot rolls."),
    timeout: duration({ positive: true }).prefault(DEFAULTS.app.hooks.timeout).describe("Longest a hook may run."),
  })
    .optional()
    .describe("Commands run around a deploy."),
  resources: strictMap({
    memory: memory().optional().describe('Memory limit per container, like "256m" or "1g".'),
    cpus: cpus().optional().describe("CPU limit per container, like 0.5."),
  })
    .optional()
    .describe("Limits of each container."),
  volumes: z
    .array(volumeSchema, expected("a list of volumes like [{ name: data, target: /data }]"))
    .optional()
    .describe("Named volumes (per slot or shared) and read-only binds."),
  command: commandField("a command as a list like [httpd, -f] or a string")
    .optional()
    .describe("Replaces the image's CMD."),
  stopTimeout: duration()
    .optional()
    .describe(`Time a stopping container gets between SIGTERM and SIGKILL; absent: ${DEFAULTS.app.stopTimeout}.`),
};
