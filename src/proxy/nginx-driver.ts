/**
 * Serves the route table through an nginx that dockhand runs itself (issue 5):
 * render the routes file, check it with `nginx -t`, move it into place, reload
 * (SIGHUP: new workers take new requests, old ones finish theirs), then wait
 * until nginx answers the new version. A config that fails the test is never
 * moved into place: the old routes keep serving and the error says why.
 */
import { execFile } from "node:child_process";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { RouteTable } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { LatestOnly } from "./latest-only.js";
import { failure, ManagedProcess } from "./managed-process.js";
import { nginxWorkers, waitForOldWorkers } from "./nginx-workers.js";
import { waitForVersion } from "./probe-version.js";
import * as D from "./proxy-defaults.js";
import type { ProxyLog } from "./proxy-log.js";
import { type NginxRouteOptions, renderNginxMain, renderNginxRoutes } from "./render-nginx-config.js";

const run = promisify(execFile);

export interface NginxDriverOptions {
  /** A directory dockhand owns: nginx.conf, routes.conf, pid, logs and temp files go here. */
  dir: string;
  listen: { host: string; port: number };
  log: ProxyLog;
  /** The nginx binary; default "nginx". */
  nginx?: string;
  /** Default DEFAULT_RETRY_AFTER_SECONDS. */
  retryAfterSeconds?: number;
  /** How long a new table waits for newer ones before a reload; default DEFAULT_RELOAD_SETTLE_MS. */
  settleMs?: number;
  /** How long to wait for nginx to serve a new table; default DEFAULT_RELOAD_TIMEOUT_MS. */
  reloadTimeoutMs?: number;
  /** How long old workers may keep serving after a reload; default DEFAULT_STOP_GRACE_MS. */
  shutdownTimeoutMs?: number;
}

export class NginxDriver {
  private readonly dir: string;
  private readonly binary: string;
  private readonly render: NginxRouteOptions;
  private readonly process: ManagedProcess;
  private version = Number.NEGATIVE_INFINITY;
  /** What nginx routes by now (see RenderedNginxRoutes.routing). */
  private routing: string | undefined;
  private readonly applying: LatestOnly<RouteTable, boolean>;

  constructor(private readonly options: NginxDriverOptions) {
    this.dir = resolve(options.dir);
    this.binary = options.nginx ?? "nginx";
    this.applying = new LatestOnly((table) => this.apply(table), options.settleMs ?? D.DEFAULT_RELOAD_SETTLE_MS);
    this.process = new ManagedProcess("nginx", options.log);
    this.render = {
      listen: options.listen,
      retryAfterSeconds: options.retryAfterSeconds ?? D.DEFAULT_RETRY_AFTER_SECONDS,
      upstreamKeepalive: 32,
      connectTimeoutMs: D.DEFAULT_CONNECT_TIMEOUT_MS,
      readTimeoutMs: D.DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
    };
  }

  get routesVersion(): number {
    return this.version;
  }

  /** The server's main process, while it runs. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Write the configuration, check it and start nginx with no routes (everything 404s until setRoutes). */
  async start(): Promise<{ port: number }> {
    await mkdir(join(this.dir, "tmp"), { recursive: true });
    const initial = renderNginxRoutes({ version: 0, routes: [] }, this.render);
    await writeFile(this.file("routes.conf"), initial.config);
    await this.writeMain("nginx.conf", this.file("routes.conf"));
    await this.test("nginx.conf", "the initial configuration");
    await this.process.start(this.binary, this.args("nginx.conf"), () =>
      waitForVersion(this.probeAddress(), 0, this.reloadTimeout()),
    );
    this.version = 0;
    this.routing = initial.routing;
    this.options.log.info({ listen: this.options.listen, dir: this.dir }, "nginx serving");
    return { port: this.options.listen.port };
  }

  /**
   * Apply a table; false when it is older than the one served. Tables that arrive during a reload are
   * coalesced: only the newest is applied, and every caller gets its outcome. Rejects when nginx refuses it.
   */
  setRoutes(table: RouteTable): Promise<boolean> {
    return this.applying.run(table);
  }

  /** Graceful stop (SIGQUIT: workers finish their requests), SIGKILL after shutdownTimeoutMs. */
  async stop(): Promise<void> {
    await this.process.stop("SIGQUIT", this.options.shutdownTimeoutMs ?? D.DEFAULT_STOP_GRACE_MS);
  }

  private async apply(table: RouteTable): Promise<boolean> {
    if (table.version < this.version) return false;
    if (!this.process.running)
      throw new DockhandError("DOCKHAND_E_USAGE", "NginxDriver.setRoutes(): start() nginx first");
    const { config, routing, problems } = renderNginxRoutes(table, this.render);
    for (const problem of problems) this.options.log.warn({ version: table.version, problem }, "route ignored");
    // Every reload closes idle client connections (nginx's graceful shutdown of old workers): skip the ones that change nothing.
    if (routing === this.routing) {
      this.version = table.version;
      return true;
    }
    await writeFile(this.file("routes.next.conf"), config);
    await this.writeMain("nginx.test.conf", this.file("routes.next.conf"));
    await this.test("nginx.test.conf", `routes version ${table.version} (the previous routes stay)`);
    await rename(this.file("routes.next.conf"), this.file("routes.conf"));
    const oldWorkers = await nginxWorkers(this.process.pid ?? 0);
    this.process.signal("SIGHUP");
    try {
      await waitForOldWorkers(oldWorkers, this.reloadTimeout());
      await waitForVersion(this.probeAddress(), table.version, this.reloadTimeout());
    } catch (err) {
      const message = `nginx did not load routes version ${table.version}: ${(err as Error).message}`;
      throw failure(message, this.process.stderr());
    }
    this.version = table.version;
    this.routing = routing;
    this.options.log.debug({ version: table.version }, "nginx reloaded");
    return true;
  }

  private async test(mainFile: string, what: string): Promise<void> {
    try {
      await run(this.binary, ["-t", ...this.args(mainFile)]);
    } catch (err) {
      throw failure(`nginx -t rejected ${what}`, (err as { stderr?: string }).stderr ?? String(err));
    }
  }

  private writeMain(name: string, routesFile: string): Promise<void> {
    const shutdownTimeoutMs = this.options.shutdownTimeoutMs ?? D.DEFAULT_STOP_GRACE_MS;
    return writeFile(this.file(name), renderNginxMain({ dir: this.dir, routesFile, shutdownTimeoutMs }));
  }

  private args(mainFile: string): string[] {
    return ["-p", `${this.dir}/`, "-e", this.file("error.log"), "-c", this.file(mainFile)];
  }

  private file(name: string): string {
    return join(this.dir, name);
  }

  private probeAddress(): { host: string; port: number } {
    const host = this.options.listen.host;
    return { host: host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host, port: this.options.listen.port };
  }

  private reloadTimeout(): number {
    return this.options.reloadTimeoutMs ?? D.DEFAULT_RELOAD_TIMEOUT_MS;
  }
}
