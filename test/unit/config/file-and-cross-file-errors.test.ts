import { describe, expect, it } from "vitest";
import { problems } from "./deploy-repo-fixture.js";

interface Case {
  name: string;
  files: Record<string, string | undefined>;
  expected: string[];
}

const API = "name: api\nbuild: { context: services/api }\nport: 3000\n";

const files: Case[] = [
  {
    name: "no dockhand.yaml",
    files: { "dockhand.yaml": undefined },
    expected: ["dockhand.yaml:1:1 missing: the deploy repo needs a dockhand.yaml at its root that defines hosts"],
  },
  {
    name: "a dockhand.yaml with only a comment",
    files: { "dockhand.yaml": "# hosts go here\n" },
    expected: [
      "dockhand.yaml:1:1 the file is empty; it needs at least hosts, e.g. hosts: { alpha: { docker: local, address: 127.0.0.1 } }",
    ],
  },
  {
    name: "a dockhand.yaml that is a list",
    files: { "dockhand.yaml": "- alpha\n- beta\n" },
    expected: [
      "dockhand.yaml:1:1 expected a map with keys hosts, proxy, previews, registry, status, environments, got a list",
    ],
  },
  {
    name: "an empty app file",
    files: { "apps/api.yaml": "" },
    expected: [
      "apps/api.yaml:1:1 the file is empty; an app needs at least name and image (or build), and port if it serves",
    ],
  },
  {
    name: "an app file that is a scalar",
    files: { "apps/api.yaml": "# the api\napi\n" },
    expected: ['apps/api.yaml:2:1 expected a map with keys name, image or build, port, ..., got "api"'],
  },
  {
    name: "a YAML syntax error",
    files: { "apps/api.yaml": "name: api\nport: [3000\nimage: x\n" },
    expected: [
      "apps/api.yaml:3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    name: "a key given twice",
    files: { "apps/api.yaml": `${API}port: 3001\n` },
    expected: ["apps/api.yaml:4:1 port: port appears twice (first at line 3); keep one"],
  },
  {
    name: "an unquoted wildcard hostname, which YAML reads as an alias",
    files: { "apps/api.yaml": `${API}hostnames: [*.example.com]\n` },
    expected: ['apps/api.yaml:4:13 *.example.com reads as a YAML alias; to mean the text, quote it: "*.example.com"'],
  },
  {
    name: "aliases that would expand without bound",
    files: {
      "apps/api.yaml": [
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "",
      ].join("\n"),
    },
    expected: [
      "apps/api.yaml:4:33 the aliases up to here copy more than 10000 values (each *name copies its anchor's whole value, aliases inside it included); write the values out instead",
    ],
  },
  {
    name: "an app file named .yml",
    files: { "apps/api.yml": API },
    expected: ["apps/api.yml:1:1 dockhand reads apps/*.yaml only; rename this file to apps/api.yaml"],
  },
];

const crossFile: Case[] = [
  {
    name: "placement on a host dockhand.yaml does not define",
    files: { "apps/api.yaml": `${API}placement: { hosts: [beta, alpah, gamma] }\n` },
    expected: [
      'apps/api.yaml:4:28 placement.hosts.1: no host named "alpah" in dockhand.yaml; did you mean "alpha"? hosts: alpha, beta',
      'apps/api.yaml:4:35 placement.hosts.2: no host named "gamma" in dockhand.yaml; hosts: alpha, beta',
    ],
  },
  {
    name: "placement naming a host twice",
    files: { "apps/api.yaml": `${API}placement: { hosts: [alpha, alpha] }\n` },
    expected: ['apps/api.yaml:4:29 placement.hosts.1: "alpha" is listed twice'],
  },
  {
    name: "placement labels no host carries",
    files: { "apps/api.yaml": `${API}placement: { labels: { zone: c } }\n` },
    expected: [
      "apps/api.yaml:4:22 placement.labels: no host has all of the labels zone=c; alpha has zone=a, beta has zone=b",
    ],
  },
  {
    name: "placement labels that only hosts outside placement.hosts carry",
    files: { "apps/api.yaml": `${API}placement: { hosts: [alpha], labels: { zone: b } }\n` },
    expected: ["apps/api.yaml:4:38 placement.labels: no host has all of the labels zone=b; alpha has zone=a"],
  },
  {
    name: "a hostname two apps claim, reported at the later file",
    files: { "apps/api.yaml": `${API}hostnames: [api.example.com, www.example.com]\n` },
    expected: [
      'apps/web.yaml:4:13 hostnames.0: "www.example.com" is already claimed by app "api" (apps/api.yaml:4:30); a hostname routes to one app',
    ],
  },
  {
    name: "a hostname one app lists twice",
    files: { "apps/api.yaml": `${API}hostnames:\n  - api.example.com\n  - api.example.com\n` },
    expected: ['apps/api.yaml:6:5 hostnames.1: "api.example.com" is listed twice; first at apps/api.yaml:5:5'],
  },
  {
    name: "app checks still run without a dockhand.yaml",
    files: { "dockhand.yaml": undefined, "apps/api.yaml": `${API}placement: { hosts: [gamma] }\nreplicas: -2\n` },
    expected: [
      "apps/api.yaml:5:11 replicas: expected a whole number of replicas, 0 or more, got -2",
      "dockhand.yaml:1:1 missing: the deploy repo needs a dockhand.yaml at its root that defines hosts",
    ],
  },
];

describe("file-level and cross-file problems, exact text", () => {
  it.each([...files, ...crossFile])("$name", ({ files, expected }) => {
    expect(problems(files)).toEqual(expected);
  });
});

describe("every problem at once", () => {
  it("reports problems from every file in one error, sorted by file, line and column", () => {
    const found = problems({
      "dockhand.yaml": "hosts:\n  alpha: { docker: local, adress: 127.0.0.1 }\nproxy: { driver: ngnix }\n",
      "apps/api.yaml": "name: api\nimage: api:1\nport: 0\nhostnames: [www.example.com]\nsecrets: [1DB]\n",
      "apps/web.yaml": "name: web\nimage: busybox:stable\nport: 8080\nhealth: { timeout: two }\nreplica: 2\n",
      "apps/worker.yaml": "- not a map\n",
      "apps/cron.yaml": "name: cron\nbuild: { context: services/cron }\nport: 9000\n",
    });
    expect(found).toEqual([
      "apps/api.yaml:3:7 port: expected a port number from 1 to 65535, got 0",
      'apps/api.yaml:5:11 secrets.0: expected a secret name of letters, digits and "_", not starting with a digit, like "DATABASE_URL", got "1DB"',
      'apps/cron.yaml:2:19 build.context: no directory "services/cron" in the repo at 0123456',
      'apps/web.yaml:4:20 health.timeout: expected a duration like "2s", got "two"',
      'apps/web.yaml:5:1 replica: unknown key; did you mean "replicas"? Allowed here: name, build, image, replicas, port, hostPort, hostnames, env, health, rollout, placement, secrets, hooks, resources, volumes, command, stopTimeout, previews, environments',
      "apps/worker.yaml:1:1 expected a map with keys name, image or build, port, ..., got a list",
      'dockhand.yaml:2:10 hosts.alpha: missing required key "address"',
      'dockhand.yaml:2:27 hosts.alpha.adress: unknown key; did you mean "address"? Allowed here: docker, tls, socket, address, bindAddress, capacity, labels',
      'dockhand.yaml:3:18 proxy.driver: expected one of builtin, nginx, caddy, got "ngnix"; did you mean "nginx"?',
    ]);
  });

  it("carries the issues as data with the stable config code", async () => {
    const { parseDeployRepo } = await import("../../../src/config/index.js");
    const { ConfigError } = await import("../../../src/model/index.js");
    const { repoWith } = await import("./deploy-repo-fixture.js");
    const run = () =>
      parseDeployRepo(repoWith({ "apps/web.yaml": "name: web\nimage: x\nport: 8080\nhealth: { timeout: two }\n" }));
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (error) {
      expect((error as InstanceType<typeof ConfigError>).code).toBe("DOCKHAND_E_CONFIG");
      expect((error as InstanceType<typeof ConfigError>).issues).toEqual([
        {
          file: "apps/web.yaml",
          line: 4,
          column: 20,
          path: "health.timeout",
          message: 'expected a duration like "2s", got "two"',
        },
      ]);
    }
  });
});
