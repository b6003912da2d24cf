/**
 * Runs the proxy the config asks for and switches it when the config changes
 * (issue 5: switching drivers is a config change). A switch stops the running
 * proxy (in-flight requests finish) and starts the other one on the address
 * asked for: connections opened in between are refused, for well under a
 * second. A proxy that fails to start is reported and the previous one is
 * started again, so a bad switch never leaves the hostnames unserved.
 */
import type { Logger } from "pino";
import type { ProxySpec } from "../model/index.js";
import { sameProxySettings } from "../proxy/index.js";
import { parseListen, type StartedProxy, type StartProxyOptions, startProxy } from "./start-proxy.js";

/** How often a following proxy looks at the settings the last sync wrote. */
export const PROXY_SETTINGS_POLL_MS = 1_000;

export type ProxyBase = Omit<StartProxyOptions, "driver" | "listen" | "tls" | "log">;

export class ProxySupervisor {
  private running: { spec: ProxySpec; proxy: StartedProxy } | undefined;
  /** Settings that failed to start: not tried again (each try costs a gap) until the settings change. */
  private failed: ProxySpec | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly base: ProxyBase,
    private readonly log: Logger,
  ) {}

  get port(): number | undefined {
    return this.running?.proxy.port;
  }

  get settings(): ProxySpec | undefined {
    return this.running?.spec;
  }

  /** Runs `spec` (switching from what runs); switches take turns. Resolves false when it kept the old proxy. */
  switchTo(spec: ProxySpec): Promise<boolean> {
    const next = this.turn.then(() => this.apply(spec));
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** Looks at `load()` every `intervalMs` and switches when it differs from what runs. */
  follow(load: () => Promise<ProxySpec | undefined>, intervalMs: number): void {
    const look = async () => {
      const spec = await load().catch((err: unknown) => {
        this.log.warn({ err: String(err) }, "could not read the proxy settings");
        return undefined;
      });
      if (!spec || !this.running || sameProxySettings(spec, this.running.spec)) return;
      if (this.failed && sameProxySettings(spec, this.failed)) return;
      await this.switchTo(spec);
    };
    this.timer ??= setInterval(() => void look(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.turn;
    await this.running?.proxy.stop();
    this.running = undefined;
  }

  private async apply(spec: ProxySpec): Promise<boolean> {
    const before = this.running;
    if (before && sameProxySettings(before.spec, spec)) return true;
    if (before) {
      this.log.info({ from: before.spec.driver, to: spec.driver, listen: spec.listen }, "switching the proxy");
      await before.proxy.stop();
      this.running = undefined;
    }
    try {
      this.running = { spec, proxy: await this.launch(spec) };
      this.failed = undefined;
      return true;
    } catch (err) {
      if (!before) throw err;
      this.failed = spec;
      this.running = { spec: before.spec, proxy: await this.launch(before.spec) };
      this.log.error(
        { err: err instanceof Error ? err.message : String(err), driver: spec.driver, listen: spec.listen },
        "the new proxy did not start; the previous one serves again",
      );
      return false;
    }
  }

  private launch(spec: ProxySpec): Promise<StartedProxy> {
    return startProxy({
      ...this.base,
      driver: spec.driver,
      listen: parseListen(spec.listen),
      ...(spec.tls ? { tls: spec.tls } : {}),
      log: this.log,
    });
  }
}
