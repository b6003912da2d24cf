import pino from "pino";
import { startServe, startWorker } from "../main.js";
import { type ProxyFlags, startProxyCommand } from "./command-proxy.js";
import type { DockhandEnv } from "./env.js";

/** Runs serve, worker or proxy until SIGTERM/SIGINT, then stops taking work and exits 0. */
export async function runUntilSignal(
  env: DockhandEnv,
  which: "serve" | "worker" | "proxy",
  flags: ProxyFlags = {},
): Promise<number> {
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
