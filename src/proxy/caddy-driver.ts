/**
 * Serves the route table through a Caddy that dockhand runs itself (issue 5).
 * Upstream changes (every rollout) only change the SRV records Caddy looks up
 * (srv-dns-server.ts): no config load, so no client connection is closed.
 * Hostname changes POST the whole config to the admin API's /load: Caddy
 * applies it atomically (new requests see the new routes, open ones finish on
 * the old within the grace period) or refuses it and keeps the old one.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { request } from "undici";
import type { RouteTable } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { LatestOnly } from "./latest-only.js";
import { failure, ManagedProcess } from "./managed-process.js";
import { waitForVersion } from "./probe-version.js";
import * as D from "./proxy-defaults.js";
import type { ProxyLog } from "./proxy-log.js";
import { type CaddyAcmeOptions, type CaddyConfigOptions, renderCaddyConfig } from "./render-caddy-config.js";
import { SrvDnsServer, type SrvTarget } from "./srv-dns-server.js";
import { mayReplace, type TableStamp } from "./table-order.js";

/** Past Caddy's refresh, how long a lookup answered just before a change may take to reach Caddy's cache. */
const SRV_CACHE_MARGIN_MS = 50;

export interface CaddyDriverOptions {
  /** A directory dockhand owns: the initial config and Caddy's data go here. */
  dir: string;
  listen: { host: string; port: number };
  /** Where Caddy's admin API listens; keep it on a loopback address. */
  admin: { host: string; port: number };
  log: ProxyLog;
  /** The caddy binary; default "caddy". */
  caddy?: string;
  /** Default DEFAULT_RETRY_AFTER_SECONDS. */
  retryAfterSeconds?: number;
  /** How long a new table waits for newer ones before a load; default DEFAULT_RELOAD_SETTLE_MS. */
  settleMs?: number;
  /** Default DEFAULT_RELOAD_TIMEOUT_MS. */
  reloadTimeoutMs?: number;
  /** How long open requests may finish on the old config; default DEFAULT_STOP_GRACE_MS. */
  gracePeriodMs?: number;
  /** How often Caddy looks up an app's upstreams again; default DEFAULT_CADDY_UPSTREAM_REFRESH_MS. */
  upstreamRefreshMs?: number;
  /** Automatic HTTPS for the app hostnames (see CaddyAcmeOptions); off when absent. */
  acme?: CaddyAcmeOptions;
}

export class CaddyDriver {
  private readonly dir: string;
  private render: CaddyConfigOptions;
  private readonly process: ManagedProcess;
  private readonly dns = new SrvDnsServer();
  private served: TableStamp = { version: Number.NEGATIVE_INFINITY };
  /** The config loaded now, rendered at version 0, to tell a real change from a version bump. */
  private routing: string | undefined;
  private readonly applying: LatestOnly<RouteTable, boolean>;

  constructor(private readonly options: CaddyDriverOptions) {
    this.dir = resolve(options.dir);
    this.applying = new LatestOnly((table) => this.apply(table), options.settleMs ?? D.DEFAULT_RELOAD_SETTLE_MS);
    this.process = new ManagedProcess("caddy", options.log);
    this.render = {
      listen: options.listen,
      admin: options.admin,
      storageDir: join(this.dir, "data"),
      retryAfterSeconds: options.retryAfterSeconds ?? D.DEFAULT_RETRY_AFTER_SECONDS,
      gracePeriodMs: options.gracePeriodMs ?? D.DEFAULT_STOP_GRACE_MS,
      maxAttempts: D.DEFAULT_MAX_ATTEMPTS,
      ejectAfterFailures: D.DEFAULT_EJECT_AFTER_FAILURES,
      ejectForMs: D.DEFAULT_EJECT_FOR_MS,
      acme: options.acme,
    };
  }

  get routesVersion(): number {
    return this.served.version;
  }

  /** The server's main process, while it runs. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Start Caddy with no routes (everything 404s until setRoutes). */
  async start(): Promise<{ port: number }> {
    await mkdir(join(this.dir, "data"), { recursive: true });
    const dns = await this.dns.start("127.0.0.1");
    const refreshMs = this.options.upstreamRefreshMs ?? D.DEFAULT_CADDY_UPSTREAM_REFRESH_MS;
    this.render = { ...this.render, srv: { resolver: `udp/${dns.host}:${dns.port}`, refreshMs } };
    const file = join(this.dir, "caddy.json");
    const initial = renderCaddyConfig({ version: 0, routes: [] }, this.render).config;
    await writeFile(file, JSON.stringify(initial, null, 2));
    // Caddy writes under HOME and the XDG directories; keep all of it in dockhand's directory.
    const env = {
      ...process.env,
      HOME: this.dir,
      XDG_DATA_HOME: join(this.dir, "data"),
      XDG_CONFIG_HOME: join(this.dir, "config"),
    };
    try {
      await this.process.start(
        this.options.caddy ?? "caddy",
        ["run", "--config", file],
        () => waitForVersion(this.probeAddress(), 0, this.reloadTimeout()),
        env,
      );
    } catch (err) {
      await this.dns.stop();
      throw err;
    }
    this.served = { version: 0 };
    this.routing = JSON.stringify(initial);
    this.options.log.info({ listen: this.options.listen, admin: this.options.admin }, "caddy serving");
    return { port: this.options.listen.port };
  }

  /**
   * Apply a table; false when it is older than the one served. Tables that arrive during a load are
   * coalesced: only the newest is applied, and every caller gets its outcome. Rejects when Caddy refuses it.
   */
  setRoutes(table: RouteTable): Promise<boolean> {
    return this.applying.run(table);
  }

  /** SIGINT lets Caddy finish open requests (up to the grace period); SIGKILL after that. */
  async stop(): Promise<void> {
    await this.process.stop("SIGINT", this.render.gracePeriodMs + 2_000);
    await this.dns.stop();
  }

  private async apply(table: RouteTable): Promise<boolean> {
    if (!mayReplace(table, this.served)) return false;
    if (!this.process.running)
      throw new DockhandError("DOCKHAND_E_USAGE", "CaddyDriver.setRoutes(): start() caddy first");
    const { config, srv, problems } = renderCaddyConfig(table, this.render);
    for (const problem of problems) this.options.log.warn({ version: table.version, problem }, "route ignored");
    const previous = this.dns.current;
    const upstreamsChanged = recordsText(previous) !== recordsText(srv);
    // Names a new config refers to must resolve before it is loaded.
    this.dns.setRecords(srv);
    // A load closes idle client connections: only hostname changes take one (config rendered at version 0 compared).
    const routing = JSON.stringify(renderCaddyConfig({ ...table, version: 0 }, this.render).config);
    if (routing !== this.routing) {
      try {
        await this.load(config, `routes version ${table.version}`);
      } catch (err) {
        this.dns.setRecords(previous);
        throw err;
      }
      await waitForVersion(this.probeAddress(), table.version, this.reloadTimeout());
      this.routing = routing;
    }
    // Caddy keeps each lookup for `refresh`: once that has passed, no request goes to a removed upstream.
    if (upstreamsChanged) await new Promise((r) => setTimeout(r, this.refreshMs() + SRV_CACHE_MARGIN_MS));
    this.served = { epoch: table.epoch, version: table.version };
    this.options.log.debug({ version: table.version }, "caddy serves new routes");
    return true;
  }

  /**
   * POST a whole Caddy config to the admin API's /load. Caddy applies it
   * atomically or refuses it and keeps the old one; a refusal rejects with
   * Caddy's own words. `what` names the config in that message.
   */
  async load(config: object, what: string): Promise<void> {
    const admin = this.options.admin;
    const host = admin.host.includes(":") ? `[${admin.host}]` : admin.host;
    const res = await request(`http://${host}:${admin.port}/load`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(config),
    }).catch((err: unknown) => {
      throw failure(`caddy's admin API at ${host}:${admin.port} did not answer`, (err as Error).message);
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw failure(`caddy refused ${what} (the previous config stays)`, caddyError(text));
  }

  private probeAddress(): { host: string; port: number } {
    const host = this.options.listen.host;
    return { host: host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host, port: this.options.listen.port };
  }

  private refreshMs(): number {
    return this.render.srv?.refreshMs ?? 0;
  }

  private reloadTimeout(): number {
    return this.options.reloadTimeoutMs ?? D.DEFAULT_RELOAD_TIMEOUT_MS;
  }
}

function caddyError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : text;
  } catch {
    return text;
  }
}

function recordsText(records: ReadonlyMap<string, SrvTarget[]>): string {
  return JSON.stringify([...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
