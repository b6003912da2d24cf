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
    // src/worker is split by capability, and its folders import one way only:
    //   queue -> previews -> sync -> rollout -> secrets, and history -> rollout
    // (a folder may skip down the chain, never point back up or sideways into history).
    {
      name: "worker-secrets-imports-no-worker-folder",
      comment:
        "worker/secrets (resolve, mask, digest keys) is the bottom of the worker: it imports no other worker folder, so every one of them can use it.",
      severity: "error",
      from: { path: "^src/worker/secrets/" },
      to: { path: "^src/worker/", pathNot: "^src/worker/secrets/" },
    },
    {
      name: "worker-rollout-stays-below",
      comment:
        "worker/rollout rolls one plan through ports; it never knows who asked (sync, previews, queue) or who records it (history), only secrets below it.",
      severity: "error",
      from: { path: "^src/worker/rollout/" },
      to: { path: "^src/worker/(sync|previews|queue|history)/" },
    },
    {
      name: "worker-sync-stays-below-previews-and-queue",
      comment:
        "worker/sync reads, plans and executes one sync; previews and the queue call it, never the reverse, and history is fed by the composition root.",
      severity: "error",
      from: { path: "^src/worker/sync/" },
      to: { path: "^src/worker/(previews|queue|history)/" },
    },
    {
      name: "worker-previews-stays-below-queue",
      comment:
        "worker/previews turns a pull request into a sync; the queue's worker calls it, and a preview reaper enqueues through a function it is handed, never by importing the queue.",
      severity: "error",
      from: { path: "^src/worker/previews/" },
      to: { path: "^src/worker/(queue|history)/" },
    },
    {
      name: "worker-history-reads-only-rollout-and-secrets",
      comment:
        "worker/history records what syncs did from their step events (a rollout type); it never drives a sync, a preview or the queue.",
      severity: "error",
      from: { path: "^src/worker/history/" },
      to: { path: "^src/worker/(sync|previews|queue)/" },
    },
    {
      name: "worker-promotion-is-on-top",
      comment:
        "worker/promotion proves a commit and queues its sync; a sync only schedules through the PromotionScheduler it is handed, so no other worker folder imports promotion.",
      severity: "error",
      from: { path: "^src/worker/(sync|previews|queue|rollout|history|secrets)/" },
      to: { path: "^src/worker/promotion/" },
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
