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
import { commandObserve } from "./runtime/command-observe.js";
import { commandPlan } from "./runtime/command-plan.js";
import { commandValidate } from "./runtime/command-validate.js";
import { readEnv } from "./runtime/env.js";

type Action = (flags: Record<string, unknown>) => Promise<number>;

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
      .addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}`)
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
      "--observed <file>",
      "plan against an observed-state file (from `dockhand observe --json`) instead of the engines",
    );
  add(
    "observe",
    "show the dockhand containers on every host",
    ["dockhand observe", "dockhand observe --json > observed.json"],
    (f) => commandObserve(readEnv(), f),
  ).option("--json", "print the observed state as JSON");
  add("apply", "plan, then roll the changes out", ["dockhand apply --repo ./deploy --yes"], (f) =>
    commandApply(readEnv(), f),
  ).option("--yes", "apply without asking");
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
  return program;
}

/** Runs serve or worker until SIGTERM/SIGINT, then stops taking work and exits 0. */
async function runUntilSignal(which: "serve" | "worker"): Promise<number> {
  const env = readEnv();
  const log = pino({ level: env.logLevel, base: { instance: env.instance } });
  const running = which === "serve" ? await startServe(env, log) : await startWorker(env, log);
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
