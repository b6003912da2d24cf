/**
 * The `dockhand` command (DESIGN.md, "Contract"). Exit codes: 0 ok; 1 error or
 * invalid config; with `plan --detailed-exitcode`, 2 means the plan has changes.
 */
import { Command } from "commander";
import pino from "pino";
import { startServe, startWorker } from "./main.js";
import { ConfigError, DockhandError } from "./model/index.js";
import { err } from "./runtime/cli-io.js";
import { commandApply } from "./runtime/command-apply.js";
import { commandHostsCheck } from "./runtime/command-hosts-check.js";
import { commandLogs } from "./runtime/command-logs.js";
import { commandObserve } from "./runtime/command-observe.js";
import { commandPlan } from "./runtime/command-plan.js";
import { type ProxyFlags, startProxyCommand } from "./runtime/command-proxy.js";
import { commandRollback } from "./runtime/command-rollback.js";
import { commandStatus } from "./runtime/command-status.js";
import { commandValidate } from "./runtime/command-validate.js";
import { readEnv } from "./runtime/env.js";

type Action = (flags: Record<string, unknown>) => Promise<number>;
const examplesText = (examples: string[]) => `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}`;
type AppAction = (app: string, flags: Record<string, unknown>) => Promise<number>;

export function buildProgram(run: (action: () => Promise<number>) => Promise<void>): Command {
  const program = new Command("dockhand")
    .description("GitOps for plain Docker hosts: plan, roll and route containers from a git repository.")
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
      .action((flags: Record<string, unknown>) => run(() => action(flags)));

  add(
    "validate",
    "check the deploy repo; every problem, with file:line:col",
    ["dockhand validate --repo ./deploy"],
    (f) => commandValidate(readEnv(), f),
  );
  add(
    "plan",
    "show what apply would change on the hosts",
    [
      "dockhand plan --repo ./deploy",
      "dockhand plan --json --detailed-exitcode",
      "dockhand plan --observed observed.json",
    ],
    (f) => commandPlan(readEnv(), f),
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
    (f) => commandObserve(readEnv(), f),
  ).option("--json", "print the observed state as JSON");
  add(
    "apply",
    "plan, then roll the changes out, a line per step",
    ["dockhand apply --repo ./deploy --yes", "dockhand apply --yes --json > events.ndjson"],
    (f) => commandApply(readEnv(), f),
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
    (f) => commandStatus(readEnv(), f),
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
    .action((flags: Record<string, unknown>) => run(() => commandHostsCheck(readEnv(), flags)));
  const addForApp = (name: string, summary: string, examples: string[], action: AppAction) =>
    repoOptions(program.command(name).description(summary).argument("<app>", "app name, as in apps/<app>.yaml"))
      .option("--env <env>", "environment", "production")
      .addHelpText("after", examplesText(examples))
      .action((app: string, flags: Record<string, unknown>) => run(() => action(app, flags)));
  addForApp(
    "logs",
    "merged logs of an app's containers on every host, each line prefixed host/slot",
    ["dockhand logs web", "dockhand logs web -f --since 10m", "dockhand logs api --env pr-42 --tail all"],
    (app, f) => commandLogs(readEnv(), app, f),
  )
    .option("-f, --follow", "keep printing new lines until Ctrl-C or until the containers stop")
    .option("--since <when>", "only lines since then: a duration (10m, 1h30m) or a date (2024-05-01T10:00:00Z)")
    .option("--tail <n>", "last n lines per container, or all (default: 100, or all with --since)");
  addForApp(
    "rollback",
    "put an app back on its previous version (kept stopped on the hosts) and hold periodic sync for it",
    ["dockhand rollback web", "dockhand rollback api --repo ./deploy"],
    (app, f) => commandRollback(readEnv(), app, f),
  );
  program
    .command("serve")
    .description("webhook receiver, sync worker and built-in proxy in one process")
    .addHelpText(
      "after",
      "\nExample:\n  $ DOCKHAND_REPO=git@github.com:acme/deploy.git DOCKHAND_WEBHOOK_SECRET=... dockhand serve",
    )
    .action(() => run(() => runUntilSignal("serve")));
  program
    .command("worker")
    .description("a sync worker only; run several against one Redis (REDIS_URL) to scale out")
    .addHelpText("after", "\nExample:\n  $ REDIS_URL=redis://redis:6379 DOCKHAND_REPO=... dockhand worker")
    .action(() => run(() => runUntilSignal("worker")));
  program
    .command("proxy")
    .description("a proxy alone, following the route table in Redis (run one per edge machine)")
    .option("--repo <path|url>", "read proxy.driver and proxy.listen from this deploy repo (default: DOCKHAND_REPO)")
    .option("--ref <ref>", "branch, tag or commit to read")
    .option("--driver <builtin|nginx|caddy>", "which proxy to run (default: dockhand.yaml's, else builtin)")
    .option("--listen <host:port>", "where to listen (default: dockhand.yaml's, else 0.0.0.0:8080)")
    .addHelpText("after", "\nExample:\n  $ REDIS_URL=redis://redis:6379 dockhand proxy --listen 0.0.0.0:80")
    .action((flags: ProxyFlags) => run(() => runUntilSignal("proxy", flags)));
  return program;
}

/** Runs serve or worker until SIGTERM/SIGINT, then stops taking work and exits 0. */
async function runUntilSignal(which: "serve" | "worker" | "proxy", flags: ProxyFlags = {}): Promise<number> {
  const env = readEnv();
  const log = pino({ level: env.logLevel, base: { instance: env.instance } });
  const running =
    which === "serve"
      ? await startServe(env, log)
      : which === "worker"
        ? await startWorker(env, log)
        : await startProxyCommand(env, flags, log);
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log.info({ signal }, "stopping");
  await running.stop();
  log.info("stopped");
  // Everything is closed; a handle a library leaked must not keep the process from exiting.
  setTimeout(() => process.exit(0), 1_000).unref();
  return 0;
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
