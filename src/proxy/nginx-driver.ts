/**
 * Serves the route table through an nginx that dockhand runs itself (issue 5).
 * Upstream changes (every rollout) only replace upstreams.json, which the njs
 * module reads per request: no reload, so no client connection is closed.
 * Hostname changes render the routes config, check it with `nginx -t`, move
 * it into place and reload (SIGHUP: new workers take new requests, old ones
 * finish theirs). A config that fails the test is never moved into place: the
 * old routes keep serving and the error says why. Either way the driver waits
 * until nginx answers the new version.
 */
import { execFile } from "node:child_process";
import { lookup } from "node:dns/promises";
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { AppRoute, RouteTable } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { LatestOnly } from "./latest-only.js";
import { failure, ManagedProcess } from "./managed-process.js";
import { nginxRoutesScript } from "./nginx-routes-script.js";
import { nginxWorkers, waitForOldWorkers } from "./nginx-workers.js";
import { waitForVersion } from "./probe-version.js";
import * as D from "./proxy-defaults.js";
import type { ProxyLog } from "./proxy-log.js";
import { type NginxRouteOptions, renderNginxMain, renderNginxRoutes } from "./render-nginx-config.js";
import { mayReplace, type TableStamp } from "./table-order.js";

/** Where Debian's libnginx-mod-http-js puts the njs module. */
export const DEFAULT_NGINX_JS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so";

const run = promisify(execFile);

export interface NginxDriverOptions {
  /** A directory dockhand owns: nginx.conf, routes.conf, pid, logs and temp files go here. */
  dir: string;
  listen: { host: string; port: number };
  log: ProxyLog;
  /** The nginx binary; default "nginx". */
  nginx?: string;
  /** nginx's njs module; default DEFAULT_NGINX_JS_MODULE. */
  jsModule?: string;
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
  private served: TableStamp = { version: Number.NEGATIVE_INFINITY };
  /** The routes config nginx has loaded. */
  private config: string | undefined;
  private readonly applying: LatestOnly<RouteTable, boolean>;
  /**
   * Where upstreams.json lives: workers read it per request, and nginx started as root runs them as
   * nobody, who may not get into dockhand's state directory; so a fresh directory anyone may read.
   */
  private runDir = "";

  constructor(private readonly options: NginxDriverOptions) {
    this.dir = resolve(options.dir);
    this.binary = options.nginx ?? "nginx";
    this.applying = new LatestOnly((table) => this.apply(table), options.settleMs ?? D.DEFAULT_RELOAD_SETTLE_MS);
    this.process = new ManagedProcess("nginx", options.log);
    this.render = {
      listen: options.listen,
      retryAfterSeconds: options.retryAfterSeconds ?? D.DEFAULT_RETRY_AFTER_SECONDS,
      connectTimeoutMs: D.DEFAULT_CONNECT_TIMEOUT_MS,
      readTimeoutMs: D.DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
    };
  }

  get routesVersion(): number {
    return this.served.version;
  }

  /** The server's main process, while it runs. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Write the configuration, check it and start nginx with no routes (everything 404s until setRoutes). */
  async start(): Promise<{ port: number }> {
    await mkdir(join(this.dir, "tmp"), { recursive: true });
    this.runDir = await mkdtemp(join(tmpdir(), "dockhand-nginx-"));
    await chmod(this.runDir, 0o755);
    const initial = renderNginxRoutes({ version: 0, routes: [] }, this.render);
    await writeFile(this.file("routes.js"), nginxRoutesScript(this.upstreamsFile()));
    await writeAtomically(this.upstreamsFile(), JSON.stringify(initial.upstreams));
    await writeFile(this.file("routes.conf"), initial.config);
    await this.writeMain("nginx.conf", this.file("routes.conf"));
    try {
      await this.test("nginx.conf", "the initial configuration");
      await this.process.start(this.binary, this.args("nginx.conf"), () =>
        waitForVersion(this.probeAddress(), 0, this.reloadTimeout()),
      );
    } catch (err) {
      await rm(this.runDir, { recursive: true, force: true });
      this.runDir = "";
      throw err;
    }
    this.served = { version: 0 };
    this.config = initial.config;
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
    if (this.runDir !== "") await rm(this.runDir, { recursive: true, force: true });
    this.runDir = "";
  }

  private async apply(table: RouteTable): Promise<boolean> {
    if (!mayReplace(table, this.served)) return false;
    if (!this.process.running)
      throw new DockhandError("DOCKHAND_E_USAGE", "NginxDriver.setRoutes(): start() nginx first");
    const what = `routes version ${table.version}`;
    const resolved = { ...table, routes: await Promise.all(table.routes.map((r) => resolveAddresses(r, what))) };
    const { config, upstreams, problems } = renderNginxRoutes(resolved, this.render);
    for (const problem of problems) this.options.log.warn({ version: table.version, problem }, "route ignored");
    // A reload closes idle client connections: only hostname changes take one, upstream changes never do.
    const reload = config !== this.config;
    if (reload) {
      await writeFile(this.file("routes.next.conf"), config);
      await this.writeMain("nginx.test.conf", this.file("routes.next.conf"));
      await this.test("nginx.test.conf", `${what} (the previous routes stay)`);
    }
    await writeAtomically(this.upstreamsFile(), JSON.stringify(upstreams));
    try {
      if (reload) await this.reload();
      await waitForVersion(this.probeAddress(), table.version, this.reloadTimeout());
    } catch (err) {
      throw failure(`nginx did not load ${what}: ${(err as Error).message}`, this.process.stderr());
    }
    this.served = { epoch: table.epoch, version: table.version };
    this.config = config;
    this.options.log.debug({ version: table.version, reload }, "nginx serves new routes");
    return true;
  }

  /** Moves the tested config into place, reloads, and waits until no old worker accepts connections. */
  private async reload(): Promise<void> {
    await rename(this.file("routes.next.conf"), this.file("routes.conf"));
    const oldWorkers = await nginxWorkers(this.process.pid ?? 0);
    this.process.signal("SIGHUP");
    await waitForOldWorkers(oldWorkers, this.reloadTimeout());
  }

  private async test(mainFile: string, what: string): Promise<void> {
    try {
      await run(this.binary, ["-t", ...this.args(mainFile)]);
    } catch (err) {
      const output = (err as { stderr?: string }).stderr ?? String(err);
      const missingNjs = /dlopen\(\) .*ngx_http_js_module/.test(output);
      const hint = missingNjs
        ? " (the nginx driver needs nginx's njs module: apt-get install libnginx-mod-http-js)"
        : "";
      throw failure(`nginx -t rejected ${what}${hint}`, output);
    }
  }

  private writeMain(name: string, routesFile: string): Promise<void> {
    const shutdownTimeoutMs = this.options.shutdownTimeoutMs ?? D.DEFAULT_STOP_GRACE_MS;
    const main = renderNginxMain({
      dir: this.dir,
      routesFile,
      script: this.file("routes.js"),
      jsModule: this.options.jsModule ?? DEFAULT_NGINX_JS_MODULE,
      shutdownTimeoutMs,
    });
    return writeFile(this.file(name), main);
  }

  private args(mainFile: string): string[] {
    return ["-p", `${this.dir}/`, "-e", this.file("error.log"), "-c", this.file(mainFile)];
  }

  private upstreamsFile(): string {
    return join(this.runDir, "upstreams.json");
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

/** Write then rename, so nginx never reads half a file; readable by nginx's workers whatever the umask. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.next`, text);
  await chmod(`${file}.next`, 0o644);
  await rename(`${file}.next`, file);
}

/**
 * nginx resolves a variable upstream only with a `resolver`, per request; dockhand resolves host names
 * itself, once per table, so the upstreams file holds addresses. A name that does not resolve fails the table.
 */
async function resolveAddresses(route: AppRoute, what: string): Promise<AppRoute> {
  const upstreams = await Promise.all(
    route.upstreams.map(async (u) => {
      if (u.state !== "active" || isIP(u.address) !== 0) return u;
      try {
        return { ...u, address: (await lookup(u.address)).address };
      } catch (err) {
        throw failure(
          `nginx driver could not resolve upstream "${u.address}" of ${route.env}/${route.app} in ${what} (the previous routes stay)`,
          (err as Error).message,
        );
      }
    }),
  );
  return { ...route, upstreams };
}
