import { describe, expect, it } from "vitest";
import { type CaddyConfigOptions, renderCaddyConfig, srvName } from "../../../src/proxy/render-caddy-config.js";
import { route, upstream } from "./route-fixtures.js";

const options: CaddyConfigOptions = {
  listen: { host: "0.0.0.0", port: 8080 },
  admin: { host: "127.0.0.1", port: 2019 },
  storageDir: "/var/lib/dockhand/caddy/data",
  retryAfterSeconds: 5,
  gracePeriodMs: 10_000,
  maxAttempts: 3,
  ejectAfterFailures: 5,
  ejectForMs: 10_000,
};

type Route = { match?: Array<{ host?: string[] }>; handle: Array<Record<string, unknown>>; terminal?: boolean };

function routesOf(config: Record<string, unknown>): Route[] {
  const http = (config.apps as { http: { servers: { dockhand: { routes: Route[] } } } }).http;
  return http.servers.dockhand.routes;
}

describe("renderCaddyConfig", () => {
  const web = route(
    "web",
    ["www.example.com", "*.preview.example.com"],
    [upstream("web-0", 32768), upstream("web-old", 32769, "draining"), upstream("web-v6", 32770, "active", "::1")],
  );
  const idle = route("api", ["api.example.com"], [upstream("api-old", 32771, "draining")]);
  const { config, problems } = renderCaddyConfig({ version: 9, routes: [web, idle] }, options);
  const routes = routesOf(config);

  it("keeps the admin API where it is, does not persist configs, and stores data in dockhand's directory", () => {
    expect(config.admin).toEqual({ listen: "127.0.0.1:2019", config: { persist: false } });
    expect(config.storage).toEqual({ module: "file_system", root: "/var/lib/dockhand/caddy/data" });
  });

  it("adds a request id when the client sent none, then answers the version probe", () => {
    expect(routes[0]).toEqual({
      match: [{ header: { "X-Request-Id": null } }],
      handle: [{ handler: "headers", request: { set: { "X-Request-Id": ["{http.request.uuid}"] } } }],
    });
    expect(routes[1]?.match).toEqual([{ host: ["dockhand-routes.invalid"], path: ["/version"] }]);
    expect(routes[1]?.handle[0]).toMatchObject({ handler: "static_response", status_code: 200, body: "9" });
  });

  it("proxies an app to its active upstreams only, round robin with retries and passive ejection", () => {
    const app = routes.find((r) => r.match?.[0]?.host?.includes("www.example.com"))!;
    expect(app.match).toEqual([{ host: ["www.example.com", "*.preview.example.com"] }]);
    expect(app.terminal).toBe(true);
    expect(app.handle[0]).toMatchObject({
      handler: "reverse_proxy",
      upstreams: [{ dial: "127.0.0.1:32768" }, { dial: "[::1]:32770" }],
      load_balancing: { selection_policy: { policy: "round_robin" }, retries: 2 },
      health_checks: { passive: { max_fails: 5, fail_duration: "10000ms" } },
    });
  });

  it("answers 503 with Retry-After for an app without active upstreams, and 404 for the rest", () => {
    const api = routes.find((r) => r.match?.[0]?.host?.includes("api.example.com"))!;
    expect(api.handle[0]).toEqual({
      handler: "static_response",
      status_code: 503,
      body: "api has no active upstream right now; try again shortly\n",
      headers: { "Content-Type": ["text/plain; charset=utf-8"], "Retry-After": ["5"] },
    });
    expect(routes.at(-1)).toEqual({
      handle: [
        {
          handler: "static_response",
          status_code: 404,
          body: "no app is served at this hostname\n",
          headers: { "Content-Type": ["text/plain; charset=utf-8"] },
        },
      ],
    });
    expect(problems).toEqual([]);
  });

  it("leaves out an upstream with a port out of range, and says so", () => {
    const bad = route("web", ["www.example.com"], [upstream("x", 70000)]);
    const out = renderCaddyConfig({ version: 1, routes: [bad] }, options);
    expect(out.problems).toEqual(['production/web: upstream "127.0.0.1" port 70000 left out']);
    expect(routesOf(out.config)[2]?.handle[0]).toMatchObject({ status_code: 503 });
  });

  describe("with upstreams looked up as SRV records", () => {
    const srv = { ...options, srv: { resolver: "udp/127.0.0.1:5300", refreshMs: 100 } };
    const out = renderCaddyConfig({ version: 9, routes: [web, idle] }, srv);

    it("names the app's SRV records and the resolver instead of upstreams", () => {
      const app = routesOf(out.config).find((r) => r.match?.[0]?.host?.includes("www.example.com"))!;
      expect(app.handle[0]).not.toHaveProperty("upstreams");
      expect(app.handle[0]).toMatchObject({
        dynamic_upstreams: {
          source: "srv",
          name: srvName(web),
          refresh: "100ms",
          resolver: { addresses: ["udp/127.0.0.1:5300"] },
        },
        transport: { protocol: "http", resolver: { addresses: ["udp/127.0.0.1:5300"] } },
      });
    });

    it("returns the records: active upstreams only, none for an app without", () => {
      expect(Object.fromEntries(out.srv)).toEqual({
        [srvName(web)]: [
          { address: "127.0.0.1", port: 32768 },
          { address: "::1", port: 32770 },
        ],
        [srvName(idle)]: [],
      });
    });

    it("puts an app's upstreams in the config when they are too many for one SRV answer", () => {
      const many = route(
        "big",
        ["big.example.com"],
        Array.from({ length: 40 }, (_, i) => upstream(`big-${i}`, 30000 + i)),
      );
      const big = renderCaddyConfig({ version: 1, routes: [many] }, srv);
      const app = routesOf(big.config).find((r) => r.match?.[0]?.host?.includes("big.example.com"))!;
      expect(app.handle[0]).not.toHaveProperty("dynamic_upstreams");
      expect((app.handle[0] as { upstreams: unknown[] }).upstreams).toHaveLength(40);
      expect(big.srv.size).toBe(0);
    });

    it("renders the same config for tables that differ only in upstreams, so they need no load", () => {
      const moved = route("web", web.hostnames, [upstream("web-1", 40000)]);
      expect(renderCaddyConfig({ version: 9, routes: [moved, idle] }, srv).config).toEqual(out.config);
    });
  });
});

describe("srvName", () => {
  it("is readable, stable, a valid DNS name, and distinct for keys that read alike", () => {
    const a = srvName(route("web", [], [], "pr-42"));
    expect(a).toMatch(/^pr-42-web-[0-9a-f]{8}\.routes\.dockhand\.$/);
    expect(a).toBe(srvName(route("web", [], [], "pr-42")));
    expect(a).not.toBe(srvName(route("web", [], [], "pr_42")));
  });
});
