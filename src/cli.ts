/**
 * The `dockhand` command (docs/operations.md). Exit codes: 0 ok; 1 error or
 * invalid config; with `plan --detailed-exitcode`, 2 means the plan has changes.
 *
 * A command's modules (and the libraries they pull in: dockerode, BullMQ,
 * Fastify, ...) load when that command runs, so `--help`, `--version` and a
 * usage error start in the time of Node and commander alone
 * (docs/benchmarks.md#cli-start-up).
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ConfigError, DockhandError } from "./model/errors.js";
import { err } from "./runtime/cli-io.js";
import type { ProxyFlags } from "./runtime/command-proxy.js";
import type { DockhandEnv } from "./runtime/env.js";

type Flags = Record<string, unknown>;
type Action = (flags: Flags) => Promise<number>;
const examplesText = (examples: string[]) => `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}`;
type AppAction = (app: string, flags: Flags) => Promise<number>;

/** Loads a command's module, then reads the environment (whose errors the command reports like its own). */
async function loaded<M>(load: () => Promise<M>, call: (module: M, env: DockhandEnv) => Promise<number>) {
  const [module, { readEnv }] = await Promise.all([load(), import("./runtime/env.js")]);
  return call(module, readEnv());
}

/** A command's action, its module loaded when it runs. */
function lazy<M>(load: () => Promise<M>, call: (module: M, env: DockhandEnv, flags: Flags) => Promise<number>): Action {
  return (flags) => loaded(load, (module, env) => call(module, env, flags));
}

function lazyForApp<M>(
  load: () => Promise<M>,
  call: (module: M, env: DockhandEnv, app: string, flags: Flags) => Promise<number>,
): AppAction {
  return (app, flags) => loaded(load, (module, env) => call(module, env, app, flags));
}

/** package.json's version: one directory up from src/cli.ts and from dist/cli.js alike. */
function packageVersion(): string {
  const file = new URL("../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

export function buildProgram(run: (action: () => Promise<number>) => Promise<void>): Command {
  const program = new Command("dockhand")
    .description("GitOps for plain Docker hosts: plan, roll and route containers from a git repository.")
    .version(packageVersion(), "-V, --version", "print the version of dockhand")
    .showHelpAfterError();
  const repoOptions = (cmd: Command) =>
    cmd
      .option(
        "--repo <path|url>",
        "deploy repo: a directory (used as it is), a git repository or URL (default: DOCKHAND_REPO, else .)",
      )
      .option("--ref <ref>", "branch, tag or commit to read (default: DOCKHAND_BRANCH, main)");
  const add = (name: string, summary: string, examples: string[], action: Action) =>
    repoOptions(program.command(name).description(summary))
      .addHelpText("after", examplesText(examples))
      .action((flags: Flags) => run(() => action(flags)));

  add(
    "validate",
    "check the deploy repo; every problem, with file:line:col",
    ["dockhand validate --repo ./deploy", "dockhand validate --json | jq -c '.problems[]'"],
    lazy(
      () => import("./runtime/command-validate.js"),
      (m, env, f) => m.commandValidate(env, f),
    ),
  ).option("--json", "print the result as JSON: valid, and one object per problem (file, line, column, key, message)");
  add(
    "plan",
    "show what apply would change on the hosts",
    [
      "dockhand plan --repo ./deploy",
      "dockhand plan --json --detailed-exitcode",
      "dockhand plan --observed observed.json",
    ],
    lazy(
      () => import("./runtime/command-plan.js"),
      (m, env, f) => m.commandPlan(env, f),
    ),
  )
    .option("--json", "print the plan as JSON (docs/plan-json.md)")
    .option("--detailed-exitcode", "exit 2 when the plan has changes, 0 when none")
    .option(
      "--allow-data-move",
      "let slots with per-slot volumes move hosts; their data stays behind (docs/deploy-repo.md)",
    )
    .option(
      "--observed <file>",
      "plan against an observed-state file (from `dockhand observe --json`) instead of the engines",
    );
  add(
    "observe",
    "show the dockhand containers on every host",
    ["dockhand observe", "dockhand observe --json > observed.json"],
    lazy(
      () => import("./runtime/command-observe.js"),
      (m, env, f) => m.commandObserve(env, f),
    ),
  ).option("--json", "print the observed state as JSON");
  add(
    "apply",
    "plan, then roll the changes out, a line per step",
    ["dockhand apply --repo ./deploy --yes", "dockhand apply --yes --json > events.ndjson"],
    lazy(
      () => import("./runtime/command-apply.js"),
      (m, env, f) => m.commandApply(env, f),
    ),
  )
    .option("--yes", "apply without asking")
    .option("--retry", "try again apps whose rollout failed at this commit (other syncs leave them alone)")
    .option(
      "--allow-data-move",
      "let slots with per-slot volumes move hosts; their data stays behind (docs/deploy-repo.md)",
    )
    .option("--json", "print one JSON event per line (plan, step, outcome) instead of text; needs --yes");
  add(
    "status",
    "what runs where: replicas, health and commit per app, last deploys, queue and holds",
    ["dockhand status --repo ./deploy", "dockhand status --json | jq '.environments[].apps[] | {app, health}'"],
    lazy(
      () => import("./runtime/command-status.js"),
      (m, env, f) => m.commandStatus(env, f),
    ),
  ).option("--json", "print the status as JSON (the shape of GET /api/status)");
  repoOptions(
    program
      .command("hosts")
      .description("the Docker hosts of dockhand.yaml")
      .command("check")
      .description("check every host: reachable, authenticated, engine, storage, disk, clock, containers, address"),
  )
    .option("--json", "print one object per host, with each check (docs/operations.md#checking-the-hosts)")
    .option("--timeout <duration>", "longest check of one host, e.g. 30s (default: 10s); hosts run in parallel")
    .addHelpText("after", examplesText(["dockhand hosts check --repo ./deploy", "dockhand hosts check --json"]))
    .action((flags: Flags) => run(() => hostsCheck(flags)));
  const addForApp = (name: string, summary: string, examples: string[], action: AppAction) =>
    repoOptions(program.command(name).description(summary).argument("<app>", "app name, as in apps/<app>.yaml"))
      .option("--env <env>", "environment", "production")
      .addHelpText("after", examplesText(examples))
      .action((app: string, flags: Flags) => run(() => action(app, flags)));
  addForApp(
    "logs",
    "merged logs of an app's containers on every host, each line prefixed host/slot",
    ["dockhand logs web", "dockhand logs web -f --since 10m", "dockhand logs api --env pr-42 --tail all"],
    lazyForApp(
      () => import("./runtime/command-logs.js"),
      (m, env, app, f) => m.commandLogs(env, app, f),
    ),
  )
    .option("-f, --follow", "keep printing new lines until Ctrl-C or until the containers stop")
    .option("--since <when>", "only lines since then: a duration (10m, 1h30m) or a date (2024-05-01T10:00:00Z)")
    .option("--tail <n>", "last n lines per container, or all (default: 100, or all with --since)");
  addForApp(
    "rollback",
    "put an app back on its previous version (kept stopped on the hosts) and hold periodic sync for it",
    ["dockhand rollback web", "dockhand rollback api --repo ./deploy"],
    lazyForApp(
      () => import("./runtime/command-rollback.js"),
      (m, env, app, f) => m.commandRollback(env, app, f),
    ),
  );
  program
    .command("promote")
    .description("promote the commit an environment's source proved, now (its promote: from)")
    .argument("<env>", "an environment with promote in dockhand.yaml, like production")
    .addHelpText("after", examplesText(["dockhand promote production"]))
    .action((target: string) =>
      run(() =>
        loaded(
          () => import("./runtime/command-promote.js"),
          (m, env) => m.commandPromote(env, target),
        ),
      ),
    );
  program
    .command("serve")
    .description("webhook receiver, sync worker and built-in proxy in one process")
    .addHelpText(
      "after",
      "\nExample:\n  $ DOCKHAND_REPO=git@github.com:acme/deploy.git DOCKHAND_WEBHOOK_SECRET=... dockhand serve",
    )
    .action(() => run(() => untilSignal("serve")));
  program
    .command("worker")
    .description("a sync worker only; run several against one Redis (REDIS_URL) to scale out")
    .addHelpText("after", "\nExample:\n  $ REDIS_URL=redis://redis:6379 DOCKHAND_REPO=... dockhand worker")
    .action(() => run(() => untilSignal("worker")));
  program
    .command("proxy")
    .description("a proxy alone, following the route table in Redis (run one per edge machine)")
    .option("--repo <path|url>", "read proxy.driver and proxy.listen from this deploy repo (default: DOCKHAND_REPO)")
    .option("--ref <ref>", "branch, tag or commit to read")
    .option("--driver <builtin|nginx|caddy>", "which proxy to run (default: dockhand.yaml's, else builtin)")
    .option("--listen <host:port>", "where to listen (default: dockhand.yaml's, else 0.0.0.0:8080)")
    .addHelpText("after", "\nExample:\n  $ REDIS_URL=redis://redis:6379 dockhand proxy --listen 0.0.0.0:80")
    .action((flags: ProxyFlags) => run(() => untilSignal("proxy", flags)));
  return program;
}

const hostsCheck = lazy(
  () => import("./runtime/command-hosts-check.js"),
  (m, env, f) => m.commandHostsCheck(env, f),
);

function untilSignal(which: "serve" | "worker" | "proxy", flags: ProxyFlags = {}): Promise<number> {
  return loaded(
    () => import("./runtime/run-until-signal.js"),
    (m, env) => m.runUntilSignal(env, which, flags),
  );
}

export async function main(argv: string[]): Promise<void> {
  let code = 0;
  const program = buildProgram(async (action) => {
    try {
      code = await action();
    } catch (error) {
      code = 1;
      if (error instanceof ConfigError) err(error.message);
      else if (error instanceof DockhandError) err(`error: ${error.message}`);
      else err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  });
  await program.parseAsync(argv);
  process.exitCode = code;
}
