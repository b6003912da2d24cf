/**
 * Keeps the import directions of DESIGN.md ("Modules and the direction of imports").
 * `npm run depcheck` fails the build when a module reaches where it may not.
 */
const adapters = ["docker", "git", "proxy", "github"];
module.exports = {
  forbidden: [
    {
      name: "model-imports-nothing",
      comment: "src/model holds types and tiny pure helpers; it imports nothing internal.",
      severity: "error",
      from: { path: "^src/model/" },
      to: { path: "^src/", pathNot: "^src/model/" },
    },
    {
      name: "pure-core-imports-only-model",
      comment: "config and planner are pure: data in, data out; they may import only model.",
      severity: "error",
      from: { path: "^src/(config|planner)/" },
      to: { path: "^src/", pathNot: "^src/(model/|$1/)" },
    },
    {
      name: "pure-core-no-io",
      comment: "config and planner never touch the network, a disk or the clock.",
      severity: "error",
      from: { path: "^src/(config|planner)/" },
      to: { path: "^(fs|node:fs|fs/promises|node:fs/promises|net|node:net|http|node:http|child_process|node:child_process)$" },
    },
    ...adapters.map((name) => ({
      name: `${name}-adapter-isolated`,
      comment: "Adapters never import each other (or worker/webhook); they get ports from the composition root.",
      severity: "error",
      from: { path: `^src/${name}/` },
      to: { path: "^src/", pathNot: `^src/(model|${name})/` },
    })),
    {
      name: "worker-imports-model-planner-config",
      comment: "The worker runs plans through ports; it never imports an adapter.",
      severity: "error",
      from: { path: "^src/worker/" },
      to: { path: "^src/", pathNot: "^src/(model|planner|config|worker)/" },
    },
    {
      name: "webhook-imports-model",
      comment: "The webhook receiver only classifies and enqueues.",
      severity: "error",
      from: { path: "^src/webhook/" },
      to: { path: "^src/", pathNot: "^src/(model|webhook)/" },
    },
    {
      name: "http-imports-model",
      comment: "Dashboard, status API and metrics get their data through small interfaces (src/http/sources.ts).",
      severity: "error",
      from: { path: "^src/http/" },
      to: { path: "^src/", pathNot: "^src/(model|http)/" },
    },
    {
      name: "api-imports-model",
      comment: "The admin API (sync, cancel) is handed its queue functions by the composition root.",
      severity: "error",
      from: { path: "^src/api/" },
      to: { path: "^src/", pathNot: "^src/(model|api)/" },
    },
    {
      name: "only-the-composition-root-knows-everything",
      comment: "src/runtime is part of the composition root (cli.ts, main.ts): nothing below it may import it.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(runtime/|cli\\.ts$|main\\.ts$)" },
      to: { path: "^src/(runtime/|cli\\.ts$|main\\.ts$)" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
