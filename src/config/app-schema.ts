/**
 * apps/<name>.yaml: one app per file (docs/deploy-repo.md).
 * Relations (build xor image, name = file name, hosts and contexts that exist,
 * hostnames claimed once) are checked in check-app-file.ts and check-across-files.ts.
 */
import { z } from "zod";
import { ROLLOUT_STRATEGIES } from "../model/index.js";
import { containerKeys } from "./container-schema.js";
import { DEFAULTS } from "./defaults.js";
import { ENVIRONMENT_NAME_WHAT, labelsField } from "./dockhand-schema.js";
import {
  APP_NAME_RE,
  bool,
  duration,
  ENV_NAME_RE,
  ENVIRONMENT_NAME_RE,
  expected,
  HOST_NAME_RE,
  HOSTNAME_RE,
  isBranchName,
  isRepoDirectory,
  isSourceRepoUrl,
  normaliseRepoDirectory,
  port,
  strictMap,
  stringMap,
  text,
  textMatching,
  wholeNumber,
} from "./fields.js";

const buildSchema = strictMap({
  git: textMatching(
    'a git URL like "https://github.com/acme/web.git" or "git@github.com:acme/web.git" (no password in it), or an absolute path',
    isSourceRepoUrl,
  )
    .optional()
    .describe("The app's own source repository, built instead of a directory of the deploy repo."),
  branch: text('a branch name like "main"')
    .refine(isBranchName, expected('a branch name like "main"'))
    .optional()
    .describe("Branch of build.git that is deployed; absent means the repository's default branch."),
  context: textMatching('a directory inside the repo like "services/web" (or "." for its root)', isRepoDirectory)
    .transform(normaliseRepoDirectory)
    .describe("Directory sent to the build: of build.git when set, else of the deploy repo, e.g. services/web."),
  dockerfile: text('a Dockerfile path like "Dockerfile"')
    .default(DEFAULTS.app.dockerfile)
    .describe("Dockerfile path relative to the context."),
  args: stringMap(
    "a map of NAME: value",
    'a build argument name of letters, digits and "_", not starting with a digit',
    ENV_NAME_RE,
  )
    .optional()
    .describe("Build arguments (--build-arg); they are part of the image tag."),
  target: text('a stage name like "runtime"', /^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
    .optional()
    .describe("Stage of a multi-stage Dockerfile to build."),
}).describe("Build the image from a directory of the deploy repo or of build.git (instead of image).");

const healthSchema = strictMap({
  path: text('a path starting with "/" like "/healthz"', /^\/\S*$/)
    .optional()
    .describe("HTTP path probed on the container's port (needs port); absent means a TCP connect."),
  timeout: duration({ positive: true }).prefault(DEFAULTS.app.health.timeout).describe("Timeout of one probe."),
  within: duration({ positive: true })
    .prefault(DEFAULTS.app.health.within)
    .describe("A new container must be healthy within this time or the rollout fails."),
  stable: duration()
    .prefault(DEFAULTS.app.health.stable)
    .describe(
      "After passing its check (a worker: after starting), a new container must stay up this long before traffic moves to it.",
    ),
});

const rolloutSchema = strictMap({
  batch: wholeNumber(1, "a whole number above 0").default(DEFAULTS.app.rollout.batch).describe("Slots rolled at once."),
  strategy: z
    .enum(ROLLOUT_STRATEGIES, expected(ROLLOUT_STRATEGIES.map((s) => `"${s}"`).join(" or ")))
    .optional()
    .describe(
      "start-first: the new container starts before the old stops; recreate: the old stops first (one per-slot volume, one fixed port). Absent: recreate with hostPort, or with a per-slot volume and no hostnames; else start-first.",
    ),
  drain: duration()
    .prefault(DEFAULTS.app.rollout.drain)
    .describe(
      "Longest wait for a routed-out container's in-flight requests before it stops; ends early once the proxies report none.",
    ),
  retain: wholeNumber(0, "a whole number, 0 or more")
    .default(DEFAULTS.app.rollout.retain)
    .describe("Previous versions whose stopped containers are kept for dockhand rollback."),
});

const placementSchema = strictMap({
  hosts: z
    .array(text('a host name like "alpha"', HOST_NAME_RE), expected("a list of host names like [alpha, beta]"))
    .min(1, expected("at least one host name"))
    .optional()
    .describe("Run only on these hosts."),
  labels: labelsField().optional().describe("Run only on hosts that carry all of these labels."),
  allowDataMove: bool()
    .optional()
    .describe(
      "Let a slot with per-slot volumes move to another host; its volume stays behind and the new container starts on an empty one.",
    ),
});

const replicasField = () => wholeNumber(0, "a whole number of replicas, 0 or more");
const hostnamesField = () =>
  z.array(text('a DNS name like "www.example.com" or "*.example.com"', HOSTNAME_RE), expected("a list of DNS names"));
const envField = () =>
  stringMap(
    "a map of NAME: value",
    'an environment variable name of letters, digits and "_", not starting with a digit',
    ENV_NAME_RE,
  );

/**
 * What may differ per environment. The values are checked where they land:
 * merged over the app's own keys (src/config/environment-apps.ts), the app is
 * validated again as a whole, with each problem at the line that set it.
 */
const environmentOverrideSchema = strictMap({
  replicas: replicasField().optional().describe("Replicas in this environment."),
  hostnames: hostnamesField().optional().describe("Hostnames in this environment (replace the app's)."),
  env: envField().optional().describe("Environment variables merged over the app's env."),
  placement: placementSchema.optional().describe("Placement keys merged over the app's placement."),
  resources: containerKeys.resources.describe("Resource keys merged over the app's resources."),
});

const environmentsField = z
  .record(
    z.string().regex(ENVIRONMENT_NAME_RE, expected(ENVIRONMENT_NAME_WHAT)),
    z.union([z.literal(false), environmentOverrideSchema], {
      error: (issue: { input?: unknown }) =>
        issue.input === true
          ? "expected false (leave the app out of this environment) or a map of overrides; true is what leaving it out of environments means"
          : "expected false (leave the app out of this environment) or a map with keys replicas, hostnames, env, placement, resources",
    }),
    expected("a map of environment name: overrides (or false)"),
  )
  .optional()
  .describe(
    "Per environment: overrides of replicas, hostnames, env, placement and resources (maps merged, lists replaced), or false to leave the app out.",
  );

export const appFileSchema = strictMap({
  name: text('a name of lowercase letters, digits and "-", starting with a letter, like "web"', APP_NAME_RE).describe(
    "The app's name; must equal the file's base name.",
  ),
  build: buildSchema.optional(),
  image: text('an image reference like "nginx:1.27"', /^\S+$/)
    .optional()
    .describe("Image to run, pulled on each host (instead of build)."),
  replicas: replicasField().default(DEFAULTS.app.replicas).describe("How many containers run the app."),
  port: port().optional().describe("Port the container listens on; absent: a worker, neither published nor routed."),
  hostPort: port()
    .optional()
    .describe(
      `Publish port on this fixed port of each host's bindAddress (one replica per host), so other apps can reach it at \${apps.<name>.host}:\${apps.<name>.port}.`,
    ),
  hostnames: hostnamesField().default([]).describe("Hostnames the proxy routes to this app (needs port)."),
  env: envField()
    .prefault({})
    .describe(
      `Environment variables; numbers and booleans become strings. \${apps.<name>.host}, .port and .endpoints name another app's fixed address; $$ is a literal $.`,
    ),
  health: healthSchema.prefault({}).describe("How a new container proves it is ready."),
  rollout: rolloutSchema.prefault({}).describe("How slots are replaced."),
  placement: placementSchema.prefault({}).describe("Where the app may run; absent means every host."),
  ...containerKeys,
  previews: strictMap({
    enabled: bool().default(false).describe("Whether pull requests get a preview of this app."),
    secrets: containerKeys.secrets.describe(
      "Secrets a preview gets (a preview runs the pull request's code, so it gets none of `secrets` unless named here). Read from the tracked branch only.",
    ),
  })
    .optional()
    .describe(
      "A preview per pull request: one replica at <app>-pr-<n>.<previews.domain> (needs previews in dockhand.yaml).",
    ),
  environments: environmentsField,
}).meta({
  title: "dockhand app",
  description: "One app of a dockhand deploy repo (apps/<name>.yaml).",
  oneOf: [{ required: ["build"] }, { required: ["image"] }],
});

export type AppFile = z.output<typeof appFileSchema>;
