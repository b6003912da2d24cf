import { describe, expect, it } from "vitest";
import {
  type NginxRouteOptions,
  nginxString,
  renderNginxMain,
  renderNginxRoutes,
} from "../../../src/proxy/render-nginx-config.js";
import { route, upstream } from "./route-fixtures.js";

const options: NginxRouteOptions = {
  listen: { host: "127.0.0.1", port: 8080 },
  retryAfterSeconds: 5,
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

describe("renderNginxRoutes", () => {
  const web = route(
    "web",
    ["www.example.com", "*.preview.example.com"],
    [upstream("web-0", 32768), upstream("web-old", 32770, "draining"), upstream("web-v6", 32771, "active", "::1")],
  );
  const idle = route("api", ["api.example.com"], [upstream("api-old", 32769, "draining")]);
  const { config, problems } = renderNginxRoutes({ version: 7, routes: [web, idle] }, options);
  const lines = config.split("\n");

  it("keeps upstreams out of the config, in the upstreams file: active ones only, IPv6 in brackets", () => {
    expect(config).not.toContain("32768");
    expect(renderNginxRoutes({ version: 7, routes: [web, idle] }, options).upstreams).toEqual({
      version: 7,
      apps: { "production/web": ["127.0.0.1:32768", "[::1]:32771"], "production/api": [] },
    });
  });

  it("renders the same config for tables that differ only in upstreams, so they need no reload", () => {
    const moved = route("web", web.hostnames, [upstream("web-1", 40000)]);
    expect(renderNginxRoutes({ version: 8, routes: [moved, idle] }, options).config).toBe(config);
  });

  it("proxies an app to the upstream the njs module picks, or answers 503 with Retry-After when it has none", () => {
    expect(config).toContain(
      [
        "  server_name api.example.com;",
        "  default_type text/plain;",
        '  set $dockhand_app "production/api";',
        "  location / {",
        '    if ($dockhand_upstream = "") {',
        "      add_header Retry-After 5 always;",
        '      return 503 "api has no active upstream right now; try again shortly\n";',
        "    }",
        "    error_page 502 = @dockhand_retry;",
        "    proxy_pass http://$dockhand_upstream;",
      ].join("\n"),
    );
  });

  it("sends a request nginx got no response for to another upstream, once", () => {
    expect(config).toContain(
      [
        "  location @dockhand_retry {",
        '    if ($dockhand_retry_upstream = "") {',
        '      return 502 "api: the upstream did not answer\n";',
        "    }",
        "    proxy_pass http://$dockhand_retry_upstream;",
      ].join("\n"),
    );
  });

  it("names exact hostnames and a one-label regex for wildcards", () => {
    expect(lines).toContain("  server_name www.example.com ~^[^.]+\\.preview\\.example\\.com$;");
  });

  it("ends with the 404 default server and the version probe", () => {
    expect(lines).toContain("  listen 127.0.0.1:8080 default_server;");
    expect(lines).toContain("  server_name dockhand-routes.invalid;");
    expect(lines).toContain("  location = /version { js_content dockhand.version; }");
    expect(problems).toEqual([]);
  });

  it("leaves out an upstream whose address could break the file, and says so", () => {
    const bad = route("web", ["www.example.com"], [upstream("evil", 80, "active", "1.2.3.4; include /etc/passwd")]);
    const out = renderNginxRoutes({ version: 1, routes: [bad] }, options);
    expect(JSON.stringify(out.upstreams)).not.toContain("passwd");
    expect(out.upstreams.apps).toEqual({ "production/web": [] });
    expect(out.problems).toEqual(['production/web: upstream "1.2.3.4; include /etc/passwd" port 80 left out']);
  });

  it("listens on IPv6 addresses in brackets", () => {
    const out = renderNginxRoutes({ version: 1, routes: [] }, { ...options, listen: { host: "::", port: 80 } });
    expect(out.config).toContain("  listen [::]:80 default_server;");
  });
});

describe("renderNginxMain", () => {
  it("keeps every path under dockhand's directory, loads the njs module and includes the routes file", () => {
    const main = renderNginxMain({
      dir: "/var/lib/dockhand/nginx",
      routesFile: "/var/lib/dockhand/nginx/routes.conf",
      script: "/var/lib/dockhand/nginx/routes.js",
      jsModule: "/usr/lib/nginx/modules/ngx_http_js_module.so",
      shutdownTimeoutMs: 10_000,
    });
    expect(main.split("\n")[1]).toBe('load_module "/usr/lib/nginx/modules/ngx_http_js_module.so";');
    expect(main).toContain('  js_import dockhand from "/var/lib/dockhand/nginx/routes.js";');
    expect(main).toContain("  js_set $dockhand_upstream dockhand.upstream;");
    expect(main).toContain('  map $http_upgrade $dockhand_connection { default upgrade; "" close; }');
    expect(main).toContain('pid "/var/lib/dockhand/nginx/nginx.pid";');
    expect(main).toContain('proxy_temp_path "/var/lib/dockhand/nginx/tmp/proxy";');
    expect(main).toContain("worker_shutdown_timeout 10s;");
    expect(main).toContain('  include "/var/lib/dockhand/nginx/routes.conf";');
  });
});
