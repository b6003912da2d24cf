import { describe, expect, it } from "vitest";
import {
  type NginxRouteOptions,
  nginxString,
  renderNginxMain,
  renderNginxRoutes,
  upstreamGroupName,
} from "../../../src/proxy/render-nginx-config.js";
import { route, upstream } from "./route-fixtures.js";

const options: NginxRouteOptions = {
  listen: { host: "127.0.0.1", port: 8080 },
  retryAfterSeconds: 5,
  upstreamKeepalive: 32,
  connectTimeoutMs: 5_000,
  readTimeoutMs: 60_000,
};

describe("nginxString", () => {
  const cases: Array<[string, string]> = [
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: nginx syntax, meant literally
    ["costs $5", '"costs ${dollar}5"'],
    ["line\n", '"line\n"'],
  ];
  it.each(cases)("%j ─▶ %s", (value, expected) => {
    expect(nginxString(value)).toBe(expected);
  });
});

describe("upstreamGroupName", () => {
  it("is readable, stable and distinct for keys that read alike", () => {
    const a = upstreamGroupName(route("web", [], [], "pr-42"));
    const b = upstreamGroupName(route("web", [], [], "pr_42"));
    expect(a).toMatch(/^dockhand_pr_42_web_[0-9a-f]{8}$/);
    expect(a).toBe(upstreamGroupName(route("web", [], [], "pr-42")));
    expect(a).not.toBe(b);
  });
});

describe("renderNginxRoutes", () => {
  const web = route(
    "web",
    ["www.example.com", "*.preview.example.com"],
    [upstream("web-0", 32768), upstream("web-old", 32770, "draining"), upstream("web-v6", 32771, "active", "::1")],
  );
  const idle = route("api", ["api.example.com"], [upstream("api-old", 32769, "draining")]);
  const { config, problems } = renderNginxRoutes({ version: 7, routes: [web, idle] }, options);
  const lines = config.split("\n");

  it("states the version it renders", () => {
    expect(lines[0]).toBe("# dockhand routes, version 7. Written by dockhand; edits are overwritten.");
  });

  it("lists active upstreams only, IPv6 in brackets, with keep-alive", () => {
    const group = upstreamGroupName(web);
    const start = lines.indexOf(`upstream ${group} {`);
    expect(lines.slice(start, start + 5)).toEqual([
      `upstream ${group} {`,
      "  server 127.0.0.1:32768;  # web-0",
      "  server [::1]:32771;  # web-v6",
      "  keepalive 32;",
      "}",
    ]);
  });

  it("names exact hostnames and a one-label regex for wildcards", () => {
    expect(lines).toContain("  server_name www.example.com ~^[^.]+\\.preview\\.example\\.com$;");
  });

  it("answers 503 with Retry-After for an app without active upstreams", () => {
    expect(config).toContain(
      [
        "server {",
        "  listen 127.0.0.1:8080;",
        "  server_name api.example.com;",
        "  default_type text/plain;",
        "  add_header Retry-After 5 always;",
        '  location / { return 503 "api has no active upstream right now; try again shortly\n"; }',
        "}",
      ].join("\n"),
    );
  });

  it("ends with the 404 default server and the version probe", () => {
    expect(lines).toContain("  listen 127.0.0.1:8080 default_server;");
    expect(lines).toContain("  server_name dockhand-routes.invalid;");
    expect(lines).toContain('  location = /version { return 200 "7"; }');
    expect(problems).toEqual([]);
  });

  it("leaves out an upstream whose address could break the file, and says so", () => {
    const bad = route("web", ["www.example.com"], [upstream("evil", 80, "active", "1.2.3.4; include /etc/passwd")]);
    const out = renderNginxRoutes({ version: 1, routes: [bad] }, options);
    expect(out.config).not.toContain("passwd");
    expect(out.problems).toEqual(['production/web: upstream "1.2.3.4; include /etc/passwd" port 80 left out']);
    expect(out.config).toContain("add_header Retry-After 5 always;");
  });

  it("listens on IPv6 addresses in brackets", () => {
    const out = renderNginxRoutes({ version: 1, routes: [] }, { ...options, listen: { host: "::", port: 80 } });
    expect(out.config).toContain("  listen [::]:80 default_server;");
  });
});

describe("renderNginxMain", () => {
  it("keeps every path under dockhand's directory and includes the routes file", () => {
    const main = renderNginxMain({
      dir: "/var/lib/dockhand/nginx",
      routesFile: "/var/lib/dockhand/nginx/routes.conf",
      shutdownTimeoutMs: 10_000,
    });
    expect(main).toContain('pid "/var/lib/dockhand/nginx/nginx.pid";');
    expect(main).toContain('proxy_temp_path "/var/lib/dockhand/nginx/tmp/proxy";');
    expect(main).toContain("worker_shutdown_timeout 10s;");
    expect(main).toContain('  include "/var/lib/dockhand/nginx/routes.conf";');
  });
});
