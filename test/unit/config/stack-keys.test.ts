import { describe, expect, it } from "vitest";
import { computeSpecHash } from "../../../src/config/index.js";
import { parse, problems } from "./deploy-repo-fixture.js";

const EXAMPLES = `\${apps.db.host}, \${apps.db.port} or \${apps.db.endpoints}`;
const DB = "name: db\nimage: redis:7\nport: 6379\nhostPort: 6379\nplacement: { hosts: [beta] }\n";

function app(name: string, yaml: string, others: Record<string, string> = {}) {
  const state = parse({ [`apps/${name}.yaml`]: yaml, ...others });
  const spec = state.apps.find((a) => a.name === name);
  if (!spec) throw new Error(`no app ${name}`);
  return spec;
}

describe("workers, fixed host ports and strategies", () => {
  it("reads an app without a port as a worker; its hash is that of its image and env alone", () => {
    const spec = app("worker", "name: worker\nimage: busybox:stable\nenv: { QUEUE: jobs }\n");
    expect(spec).not.toHaveProperty("port");
    expect(spec).not.toHaveProperty("hostPort");
    expect(spec.rollout.strategy).toBe("start-first");
    expect(spec.specHash).toBe(computeSpecHash({ image: "busybox:stable", environment: { QUEUE: "jobs" } }));
  });

  it("reads hostPort into the spec and its hash, and defaults such an app to recreate", () => {
    const spec = app("db", DB);
    expect(spec).toMatchObject({ port: 6379, hostPort: 6379, rollout: { strategy: "recreate" } });
    expect(spec.specFields.hostPort).toBeDefined();
    const moved = app("db", DB.replace("hostPort: 6379", "hostPort: 6380"));
    expect(moved.specHash).not.toBe(spec.specHash);
  });

  it.each([
    ["a per-slot volume and no hostnames", "volumes: [{ name: data, target: /data }]\n", "recreate"],
    [
      "a per-slot volume with hostnames",
      "volumes: [{ name: up, target: /up }]\nhostnames: [a.example.com]\n",
      "start-first",
    ],
    ["only a shared volume", "volumes: [{ name: cache, target: /c, shared: true }]\n", "start-first"],
    [
      "a written strategy",
      "volumes: [{ name: data, target: /data }]\nrollout: { strategy: start-first }\n",
      "start-first",
    ],
    ["recreate written for a web app", "hostnames: [a.example.com]\nrollout: { strategy: recreate }\n", "recreate"],
  ])("defaults the strategy from %s", (_what, extra, strategy) => {
    expect(app("api", `name: api\nimage: x\nport: 80\n${extra}`).rollout.strategy).toBe(strategy);
  });

  it("reads placement.allowDataMove", () => {
    expect(app("db", `${DB.replace("[beta] }", "[beta], allowDataMove: true }")}`).placement).toEqual({
      hosts: ["beta"],
      allowDataMove: true,
    });
  });

  it.each([
    {
      name: "hostnames without a port",
      yaml: "name: api\nimage: x\nhostnames: [api.example.com]\n",
      expected: [
        "apps/api.yaml:3:1 hostnames: hostnames need port: the proxy sends their requests to the port the container listens on; add port, or remove hostnames for a worker",
      ],
    },
    {
      name: "health.path without a port",
      yaml: "name: api\nimage: x\nhealth: { path: /healthz }\n",
      expected: [
        "apps/api.yaml:3:11 health.path: health.path needs port: it is probed on the port the container listens on; add port, or remove health.path (a worker passes by running, or by its image's HEALTHCHECK)",
      ],
    },
    {
      name: "hostPort without a port",
      yaml: "name: api\nimage: x\nhostPort: 6379\n",
      expected: [
        "apps/api.yaml:3:1 hostPort: hostPort needs port: it publishes the port the container listens on; add port",
      ],
    },
    {
      name: "a hostPort out of range",
      yaml: "name: api\nimage: x\nport: 80\nhostPort: 70000\n",
      expected: ["apps/api.yaml:4:11 hostPort: expected a port number from 1 to 65535, got 70000"],
    },
    {
      name: "start-first with hostPort",
      yaml: "name: api\nimage: x\nport: 80\nhostPort: 8081\nrollout: { strategy: start-first }\n",
      expected: [
        "apps/api.yaml:5:22 rollout.strategy: start-first cannot keep hostPort: the new container would need the host port the old one holds; use strategy: recreate (the default with hostPort), or remove hostPort",
      ],
    },
    {
      name: "an unknown strategy",
      yaml: "name: api\nimage: x\nport: 80\nrollout: { strategy: blue-green }\n",
      expected: ['apps/api.yaml:4:22 rollout.strategy: expected "start-first" or "recreate", got "blue-green"'],
    },
  ])("reports $name, exact text", ({ yaml, expected }) => {
    expect(problems({ "apps/api.yaml": yaml })).toEqual(expected);
  });

  it("reports two apps claiming one host port on a common host, naming both files", () => {
    const cache = "name: cache\nimage: redis:7\nport: 6379\nhostPort: 6379\n";
    expect(problems({ "apps/db.yaml": DB, "apps/cache.yaml": cache })).toEqual([
      'apps/db.yaml:4:11 hostPort: hostPort 6379 is already claimed by app "cache" (apps/cache.yaml:4:11) on host beta; one port of a host publishes one app: choose another hostPort, or placements that share no host',
    ]);
  });

  it("lets two apps use one host port on hosts they cannot share", () => {
    const cache = "name: cache\nimage: redis:7\nport: 6379\nhostPort: 6379\nplacement: { labels: { zone: a } }\n";
    expect(parse({ "apps/db.yaml": DB, "apps/cache.yaml": cache }).apps.map((a) => a.name)).toEqual([
      "cache",
      "db",
      "web",
    ]);
  });
});

describe("references between apps", () => {
  const web = (env: string) => `name: web\nimage: x\nport: 8080\nenv:\n${env}`;

  it("keeps references apart from plain values, and reads $$ as $", () => {
    const spec = app(
      "web",
      web(
        [
          `  KV_URL: redis://\${apps.db.host}:\${apps.db.port}/0`,
          `  KV_ALL: \${apps.db.endpoints}`,
          `  PRICE: $$5 and $HOME and \${HOME}`,
          "  ESCAPED: $${apps.db.host}",
          "",
        ].join("\n"),
      ),
      { "apps/db.yaml": DB },
    );
    expect(spec.environment).toEqual({ PRICE: `$5 and $HOME and \${HOME}`, ESCAPED: `\${apps.db.host}` });
    expect(spec.envRefs).toEqual({
      KV_URL: ["redis://", { app: "db", field: "host" }, ":", { app: "db", field: "port" }, "/0"],
      KV_ALL: [{ app: "db", field: "endpoints" }],
    });
    // What the planner resolves is not hashed here: the spec hash covers the plain values only.
    expect(spec.specFields).not.toHaveProperty("env.KV_URL");
  });

  it("keeps the spec hash of an app without references as it was", () => {
    const spec = app("web", web("  GREETING: hello\n"));
    expect(spec.specHash).toBe(computeSpecHash({ image: "x", port: 8080, environment: { GREETING: "hello" } }));
  });

  it.each([
    {
      name: "an unknown app",
      env: `  KV_HOST: \${apps.dbb.host}\n`,
      expected: [
        `apps/web.yaml:5:12 env.KV_HOST: \${apps.dbb.…}: no app named "dbb" in apps/; did you mean "db"? apps: db, web`,
      ],
    },
    {
      name: "an app without hostPort",
      env: `  API: \${apps.api.host}\n`,
      others: { "apps/api.yaml": "name: api\nimage: x\nport: 3000\n" },
      expected: [
        `apps/web.yaml:5:8 env.API: \${apps.api.…}: app "api" has no hostPort; a reference names an app's fixed address, so set hostPort in apps/api.yaml`,
      ],
    },
    {
      name: "a field that does not exist",
      env: `  KV_HOST: \${apps.db.address}\n`,
      expected: [
        `apps/web.yaml:5:12 env.KV_HOST: expected a reference like ${EXAMPLES} (write $$ for a literal $), got "\${apps.db.address}"`,
      ],
    },
    {
      name: "a reference without its closing brace",
      env: `  KV_HOST: "\${apps.db.host"\n`,
      expected: [
        `apps/web.yaml:5:12 env.KV_HOST: expected a reference like ${EXAMPLES} (write $$ for a literal $), got "\${apps.db.host"`,
      ],
    },
  ])("reports $name at the value, exact text", ({ env, others, expected }) => {
    expect(problems({ "apps/web.yaml": web(env), "apps/db.yaml": DB, ...others })).toEqual(expected);
  });

  it("reports a cycle of references, listing it", () => {
    const a = `name: a\nimage: x\nport: 1\nhostPort: 1001\nenv: { B: '\${apps.b.host}' }\n`;
    const b = `name: b\nimage: x\nport: 1\nhostPort: 1002\nenv: { C: '\${apps.c.port}' }\n`;
    const c = `name: c\nimage: x\nport: 1\nhostPort: 1003\nenv: { A: '\${apps.a.endpoints}' }\n`;
    expect(problems({ "apps/a.yaml": a, "apps/b.yaml": b, "apps/c.yaml": c })).toEqual([
      "apps/a.yaml:5:11 env.B: references form a cycle: a → b → c → a; an app that others reference rolls (and must be healthy) before them, so one of these must stop referencing the next",
    ]);
  });

  it("reports an app referencing itself as a cycle", () => {
    const db = `${DB}env: { PEERS: '\${apps.db.endpoints}' }\n`;
    expect(problems({ "apps/db.yaml": db })).toEqual([
      "apps/db.yaml:6:15 env.PEERS: references form a cycle: db → db; an app that others reference rolls (and must be healthy) before them, so one of these must stop referencing the next",
    ]);
  });
});
