import { describe, expect, it } from "vitest";
import { buildImageTag, computeSpecFields, computeSpecHash, parseDeployRepo } from "../../../src/config/index.js";
import type { AppSpec } from "../../../src/model/index.js";
import { parse, repoWith, SHA, snapshotOf, TREES } from "./deploy-repo-fixture.js";

// The first design's examples of the deploy repo, verbatim but for the keys not built yet.
const DESIGN_DOCKHAND = `# dockhand.yaml
hosts:
  alpha: { docker: local, address: 127.0.0.1, capacity: 50, labels: { zone: a } }
  beta:  { docker: tcp://10.0.0.12:2376, tls: { ca: ca.pem, cert: cert.pem, key: key.pem },
           address: 10.0.0.12, capacity: 50 }
proxy: { driver: builtin, listen: 0.0.0.0:8080 }      # builtin | nginx | caddy
previews: { domain: preview.example.com, ttl: 72h, maxActive: 10, allowForks: false }
status: { branch: dockhand-status }
`;

const DESIGN_WEB = `# apps/web.yaml
name: web
build: { context: services/web }     # or image: registry/acme/web:1.4.2
replicas: 3
port: 8080
hostnames: [www.example.com]
env: { GREETING: hello }
health: { path: /healthz, timeout: 2s, within: 60s }
rollout: { batch: 1, drain: 10s }
placement: { hosts: [alpha, beta] }  # or { labels: { zone: a } }
`;

function onlyApp(files: Record<string, string | undefined>): AppSpec {
  const apps = parse(files).apps;
  expect(apps).toHaveLength(1);
  return apps[0]!;
}

describe("parseDeployRepo: valid repos", () => {
  it("reads the first design's example into a DesiredState", () => {
    const trees = { ...TREES, "services/web": "5555555555555555555555555555555555555555" };
    const state = parseDeployRepo(snapshotOf({ "dockhand.yaml": DESIGN_DOCKHAND, "apps/web.yaml": DESIGN_WEB }, trees));
    const image = buildImageTag("web", "5555555555555555555555555555555555555555", "Dockerfile");
    expect(state).toEqual({
      source: { repo: "file:///srv/deploy", sha: SHA },
      hosts: [
        {
          name: "alpha",
          docker: "local",
          address: "127.0.0.1",
          bind: "127.0.0.1",
          capacity: 50,
          labels: { zone: "a" },
        },
        {
          name: "beta",
          docker: "tcp://10.0.0.12:2376",
          tls: { ca: "ca.pem", cert: "cert.pem", key: "key.pem" },
          address: "10.0.0.12",
          bind: "10.0.0.12",
          capacity: 50,
          labels: {},
        },
      ],
      proxy: { driver: "builtin", listen: "0.0.0.0:8080" },
      previews: {
        domain: "preview.example.com",
        ttlMs: 72 * 3_600_000,
        maxActive: 10,
        allowForks: false,
        base: "production",
      },
      status: { branch: "dockhand-status" },
      environments: [{ name: "production" }],
      apps: [
        {
          name: "web",
          env: "production",
          file: "apps/web.yaml",
          image,
          build: { context: "services/web", dockerfile: "Dockerfile", contextHash: trees["services/web"] },
          replicas: 3,
          port: 8080,
          hostnames: ["www.example.com"],
          environment: { GREETING: "hello" },
          health: { path: "/healthz", timeoutMs: 2000, withinMs: 60_000, stableMs: 2000 },
          rollout: { batch: 1, strategy: "start-first", drainMs: 10_000, retain: 3 },
          placement: { hosts: ["alpha", "beta"] },
          specHash: computeSpecHash({ image, port: 8080, environment: { GREETING: "hello" } }),
          specFields: computeSpecFields({ image, port: 8080, environment: { GREETING: "hello" } }),
        },
      ],
    });
    expect(image).toMatch(/^dockhand\/web:[0-9a-f]{12}$/);
  });

  it("fills every default", () => {
    const state = parse({
      "dockhand.yaml": "hosts:\n  alpha: { docker: local, address: 127.0.0.1 }\n",
      "apps/web.yaml": "name: web\nimage: busybox:stable\nport: 8080\n",
    });
    expect(state.hosts).toEqual([
      { name: "alpha", docker: "local", address: "127.0.0.1", bind: "127.0.0.1", capacity: 50, labels: {} },
    ]);
    expect(state.proxy).toEqual({ driver: "builtin", listen: "0.0.0.0:8080" });
    expect(state.status).toEqual({ branch: "dockhand-status" });
    expect(state).not.toHaveProperty("previews");
    expect(state.apps[0]).toEqual({
      name: "web",
      env: "production",
      file: "apps/web.yaml",
      image: "busybox:stable",
      replicas: 1,
      port: 8080,
      hostnames: [],
      environment: {},
      health: { timeoutMs: 2000, withinMs: 60_000, stableMs: 2000 },
      rollout: { batch: 1, strategy: "start-first", drainMs: 10_000, retain: 3 },
      placement: {},
      specHash: computeSpecHash({ image: "busybox:stable", port: 8080, environment: {} }),
      specFields: computeSpecFields({ image: "busybox:stable", port: 8080, environment: {} }),
    });
  });

  it.each([
    ["an IPv4 address", "{ docker: local, address: 10.0.0.12 }", "10.0.0.12"],
    ["an IPv6 address, in the engine's spelling", "{ docker: local, address: 'FD00:0:0::12' }", "fd00::12"],
    [
      "a host name with a bindAddress",
      "{ docker: local, address: web1.internal, bindAddress: 10.0.0.12 }",
      "10.0.0.12",
    ],
    ["a bindAddress over an IP address", "{ docker: local, address: 10.0.0.12, bindAddress: '::1' }", "::1"],
    ["an IPv4-mapped bindAddress", "{ docker: local, address: 10.0.0.12, bindAddress: '::ffff:10.0.0.7' }", "10.0.0.7"],
  ])("binds published ports of a host with %s to that IP", (_name, host, bind) => {
    const state = parse({ "dockhand.yaml": `hosts:\n  alpha: ${host}\n` });
    expect(state.hosts[0]?.bind).toBe(bind);
    expect(state.hosts[0]).not.toHaveProperty("bindAddress");
  });

  it("reads an IPv6 proxy listen address and the other drivers", () => {
    const dockhand = "hosts:\n  alpha: { docker: unix:///run/docker.sock, address: '::1' }\n";
    expect(parse({ "dockhand.yaml": `${dockhand}proxy: { driver: caddy, listen: "[::]:8080" }\n` }).proxy).toEqual({
      driver: "caddy",
      listen: "[::]:8080",
    });
    expect(parse({ "dockhand.yaml": `${dockhand}proxy: { driver: nginx }\n` }).proxy).toEqual({
      driver: "nginx",
      listen: "0.0.0.0:8080",
    });
  });

  it("fills the defaults inside previews", () => {
    const state = parse({
      "dockhand.yaml": "hosts:\n  alpha: { docker: local, address: 127.0.0.1 }\npreviews: { domain: pr.example.com }\n",
    });
    expect(state.previews).toEqual({
      domain: "pr.example.com",
      ttlMs: 72 * 3_600_000,
      maxActive: 10,
      allowForks: false,
      base: "production",
    });
  });

  it("keeps env values and labels as written: numbers and booleans become their text", () => {
    const app = onlyApp({
      "apps/web.yaml":
        'name: web\nimage: x\nport: 80\nenv:\n  VERSION: 1.10\n  MASK: 0x1F\n  DEBUG: true\n  PADDED: 007\n  QUOTED: "yes"\n  EMPTY: ""\nplacement: { labels: { zone: a } }\n',
    });
    expect(app.environment).toEqual({
      VERSION: "1.10",
      MASK: "0x1F",
      DEBUG: "true",
      PADDED: "007",
      QUOTED: "yes",
      EMPTY: "",
    });
    expect(app.placement).toEqual({ labels: { zone: "a" } });
  });

  it("reads a build context however it is spelt and tags the image by its tree hash", () => {
    const app = onlyApp({
      "apps/web.yaml": "name: web\nbuild: { context: ./services/api/, dockerfile: docker/Prod.Dockerfile }\nport: 80\n",
    });
    const contextHash = TREES["services/api"]!;
    expect(app.build).toEqual({ context: "services/api", dockerfile: "docker/Prod.Dockerfile", contextHash });
    expect(app.image).toBe(buildImageTag("web", contextHash, "docker/Prod.Dockerfile"));
  });

  it("gives an unchanged context the same tag at another commit, and a changed one a new tag", () => {
    const snapshot = repoWith({ "apps/web.yaml": "name: web\nbuild: { context: services/api }\nport: 80\n" });
    const first = parseDeployRepo(snapshot).apps[0]!;
    const later = parseDeployRepo({ ...snapshot, source: { repo: snapshot.source.repo, sha: "f".repeat(40) } })
      .apps[0]!;
    expect(later.image).toBe(first.image);
    expect(later.specHash).toBe(first.specHash);
    const changed = parseDeployRepo({ ...snapshot, trees: { ...TREES, "services/api": "9".repeat(40) } }).apps[0]!;
    expect(changed.image).not.toBe(first.image);
    expect(changed.specHash).not.toBe(first.specHash);
  });

  it("reads durations of every unit", () => {
    const app = onlyApp({
      "apps/web.yaml":
        "name: web\nimage: x\nport: 80\nhealth: { timeout: 500ms, within: 1m30s, stable: 0s }\nrollout: { drain: 0s, retain: 0 }\n",
    });
    expect(app.health).toEqual({ timeoutMs: 500, withinMs: 90_000, stableMs: 0 });
    expect(app.rollout).toEqual({ batch: 1, strategy: "start-first", drainMs: 0, retain: 0 });
  });

  it("accepts the yaml-language-server modeline in both files", () => {
    const state = parse({
      "dockhand.yaml": `# yaml-language-server: $schema=./.dockhand/dockhand.schema.json\nhosts:\n  alpha: { docker: local, address: 127.0.0.1 }\n`,
      "apps/web.yaml": `# yaml-language-server: $schema=../.dockhand/app.schema.json\nname: web\nimage: x\nport: 80\n`,
    });
    expect(state.apps.map((app) => app.name)).toEqual(["web"]);
  });

  it("sorts apps by name, whatever the file order, and tags each with its file", () => {
    const state = parse({
      "apps/zeta.yaml": "name: zeta\nimage: x\nport: 80\n",
      "apps/api.yaml": "name: api\nimage: x\nport: 80\nhostnames: ['*.example.com', api.example.com]\n",
    });
    expect(state.apps.map((app) => [app.name, app.file])).toEqual([
      ["api", "apps/api.yaml"],
      ["web", "apps/web.yaml"],
      ["zeta", "apps/zeta.yaml"],
    ]);
    expect(state.apps[0]!.hostnames).toEqual(["*.example.com", "api.example.com"]);
  });

  it("accepts a repo without apps, and ignores files that are not config", () => {
    const state = parse({
      "apps/web.yaml": undefined,
      "README.md": "# deploy repo\n",
      "apps/sub/x.yaml": "nonsense: [",
    });
    expect(state.apps).toEqual([]);
  });

  it("gives equal specs equal hashes whatever the key order in the file", () => {
    const a = onlyApp({ "apps/web.yaml": "name: web\nimage: x\nport: 80\nenv: { A: '1', B: '2' }\n" });
    const b = onlyApp({ "apps/web.yaml": "env: { B: '2', A: '1' }\nport: 80\nimage: x\nname: web\n" });
    expect(b.specHash).toBe(a.specHash);
  });
});

describe("parseDeployRepo: ssh hosts", () => {
  it.each([
    ["ssh://deploy@10.0.0.12", undefined],
    ["ssh://deploy@10.0.0.12:2222", "/run/user/1000/docker.sock"],
    ["ssh://deploy@[fd00::12]:2222", undefined],
    ["ssh://deploy@docker-3.example.com", "/var/run/docker.sock"],
  ])("keeps docker %s and socket %s as written", (docker, socket) => {
    const host = `  beta: { docker: "${docker}", address: 10.0.0.12${socket ? `, socket: ${socket}` : ""} }\n`;
    const state = parse({ "dockhand.yaml": `hosts:\n${host}` });
    expect(state.hosts).toEqual([
      {
        name: "beta",
        docker,
        ...(socket ? { socket } : {}),
        address: "10.0.0.12",
        bind: "10.0.0.12",
        capacity: 50,
        labels: {},
      },
    ]);
  });
});
