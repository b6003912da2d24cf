import { describe, expect, it } from "vitest";
import { problems } from "./deploy-repo-fixture.js";

const HEAD = "name: web\nimage: busybox:stable\nport: 8080\nhostnames: [www.example.com]\n";

/** apps/web.yaml: the valid web app (lines 1-4) plus `extra` from line 5 on. */
function webWith(extra: string): Record<string, string> {
  return { "apps/web.yaml": `${HEAD}${extra}` };
}

function web(text: string): Record<string, string> {
  return { "apps/web.yaml": text };
}

const APP_KEYS =
  "name, build, image, replicas, port, hostPort, hostnames, env, health, rollout, placement, secrets, hooks, resources, volumes, command, stopTimeout, previews, environments";

interface Case {
  name: string;
  files: Record<string, string>;
  expected: string[];
}

const keys: Case[] = [
  {
    name: "an unknown key close to a known one",
    files: webWith("replica: 3\n"),
    expected: [`apps/web.yaml:5:1 replica: unknown key; did you mean "replicas"? Allowed here: ${APP_KEYS}`],
  },
  {
    name: "an unknown key close to nothing",
    files: webWith("colour: blue\n"),
    expected: [`apps/web.yaml:5:1 colour: unknown key; allowed here: ${APP_KEYS}`],
  },
  {
    name: "an unknown nested key",
    files: webWith("health:\n  pth: /healthz\n"),
    expected: [
      'apps/web.yaml:6:3 health.pth: unknown key; did you mean "path"? Allowed here: path, timeout, within, stable',
    ],
  },
  {
    name: "an unknown key in a flow map",
    files: web("name: web\nbuild: { context: services/api, dockerfil: Dockerfile }\nport: 8080\n"),
    expected: [
      'apps/web.yaml:2:33 build.dockerfil: unknown key; did you mean "dockerfile"? Allowed here: git, branch, context, dockerfile, args, target',
    ],
  },
  {
    name: "previews that are not switched on or off",
    files: webWith("previews: { enabled: sometimes }\n"),
    expected: ['apps/web.yaml:5:22 previews.enabled: expected true or false, got "sometimes"'],
  },
  {
    name: "a missing required key",
    files: web("image: busybox:stable\nport: 8080\n"),
    expected: ['apps/web.yaml:1:1 missing required key "name"'],
  },
  {
    name: "a missing required key in a nested map",
    files: web("name: web\nbuild: {}\nport: 8080\n"),
    expected: ['apps/web.yaml:2:8 build: missing required key "context"'],
  },
  {
    name: "neither image nor build",
    files: web("name: web\nport: 8080\n"),
    expected: [
      'apps/web.yaml:1:1 missing "image" or "build": say which image to run (image: nginx:1.27) or what to build (build: { context: services/web })',
    ],
  },
  {
    name: "both image and build, reported at the later one",
    files: webWith("build: { context: services/api }\n"),
    expected: ['apps/web.yaml:5:1 build: use either "build" or "image", not both'],
  },
];

const values: Case[] = [
  {
    name: "a port out of range",
    files: web("name: web\nimage: busybox:stable\nport: 70000\n"),
    expected: ["apps/web.yaml:3:7 port: expected a port number from 1 to 65535, got 70000"],
  },
  {
    name: "a port that is text",
    files: web("name: web\nimage: busybox:stable\nport: http\n"),
    expected: ['apps/web.yaml:3:7 port: expected a port number from 1 to 65535, got "http"'],
  },
  {
    name: "a key with no value, reported at the key",
    files: web("name: web\nimage: busybox:stable\nport:\n"),
    expected: ["apps/web.yaml:3:1 port: expected a port number from 1 to 65535, got nothing"],
  },
  {
    name: "a name that is not a valid name",
    files: web("name: Web\nimage: busybox:stable\nport: 8080\n"),
    expected: [
      'apps/web.yaml:1:7 name: expected a name of lowercase letters, digits and "-", starting with a letter, like "web", got "Web"',
    ],
  },
  {
    name: "a name that differs from the file name",
    files: web("name: www\nimage: busybox:stable\nport: 8080\n"),
    expected: [
      'apps/web.yaml:1:7 name: name "www" does not match the file name apps/web.yaml; rename the file to apps/www.yaml or set name: web',
    ],
  },
  {
    name: "an image reference with a space",
    files: web("name: web\nimage: busybox stable\nport: 8080\n"),
    expected: ['apps/web.yaml:2:8 image: expected an image reference like "nginx:1.27", got "busybox stable"'],
  },
  {
    name: "a build context outside the repo",
    files: web("name: web\nbuild: { context: ../elsewhere }\nport: 8080\n"),
    expected: [
      'apps/web.yaml:2:19 build.context: expected a directory inside the repo like "services/web" (or "." for its root), got "../elsewhere"',
    ],
  },
  {
    name: "a build context the commit does not have",
    files: web("name: web\nbuild:\n  context: services/web\nport: 8080\n"),
    expected: ['apps/web.yaml:3:12 build.context: no directory "services/web" in the repo at 0123456'],
  },
  {
    name: "negative replicas",
    files: webWith("replicas: -1\n"),
    expected: ["apps/web.yaml:5:11 replicas: expected a whole number of replicas, 0 or more, got -1"],
  },
  {
    name: "fractional replicas",
    files: webWith("replicas: 1.5\n"),
    expected: ["apps/web.yaml:5:11 replicas: expected a whole number of replicas, 0 or more, got 1.5"],
  },
  {
    name: "a hostname that is not a DNS name",
    files: web("name: web\nimage: busybox:stable\nport: 8080\nhostnames: [www.example.com, bad_name.example.com]\n"),
    expected: [
      'apps/web.yaml:4:30 hostnames.1: expected a DNS name like "www.example.com" or "*.example.com", got "bad_name.example.com"',
    ],
  },
  {
    name: "hostnames given as one string",
    files: web("name: web\nimage: busybox:stable\nport: 8080\nhostnames: www.example.com\n"),
    expected: ['apps/web.yaml:4:12 hostnames: expected a list of DNS names, got "www.example.com"'],
  },
  {
    name: "an env var name that is not one",
    files: webWith("env:\n  1ST: x\n"),
    expected: [
      'apps/web.yaml:6:3 env.1ST: expected an environment variable name of letters, digits and "_", not starting with a digit, got "1ST"',
    ],
  },
  {
    name: "an env value that is a map",
    files: webWith("env:\n  GREETING: { text: hello }\n"),
    expected: ["apps/web.yaml:6:13 env.GREETING: expected a string, number or boolean, got a map"],
  },
  {
    name: "an env value left empty",
    files: webWith("env:\n  GREETING:\n"),
    expected: ["apps/web.yaml:6:3 env.GREETING: expected a string, number or boolean, got nothing"],
  },
  {
    name: "env as a list",
    files: webWith("env: [GREETING=hello]\n"),
    expected: ["apps/web.yaml:5:6 env: expected a map of NAME: value, got a list"],
  },
  {
    name: "a health path without its slash",
    files: webWith("health: { path: healthz }\n"),
    expected: ['apps/web.yaml:5:17 health.path: expected a path starting with "/" like "/healthz", got "healthz"'],
  },
  {
    name: "a zero health timeout",
    files: webWith("health: { timeout: 0s }\n"),
    expected: ['apps/web.yaml:5:20 health.timeout: expected a duration above zero like "2s", got "0s"'],
  },
  {
    name: "health as a scalar",
    files: webWith("health: yes\n"),
    expected: ['apps/web.yaml:5:9 health: expected a map with keys path, timeout, within, stable, got "yes"'],
  },
  {
    name: "a rollout batch of zero",
    files: webWith("rollout: { batch: 0 }\n"),
    expected: ["apps/web.yaml:5:19 rollout.batch: expected a whole number above 0, got 0"],
  },
  {
    name: "a drain given as a bare number",
    files: webWith("rollout: { drain: 10 }\n"),
    expected: ['apps/web.yaml:5:19 rollout.drain: expected a duration like "2s", got 10'],
  },
  {
    name: "an empty list of placement hosts",
    files: webWith("placement: { hosts: [] }\n"),
    expected: ["apps/web.yaml:5:21 placement.hosts: expected at least one host name, got an empty list"],
  },
];

/** secrets, hooks, resources, volumes, command, stopTimeout (issue 4). */
const containerKeys: Case[] = [
  {
    name: "a secret name that is no env var name",
    files: webWith("secrets: [database-url]\n"),
    expected: [
      'apps/web.yaml:5:11 secrets.0: expected a secret name of letters, digits and "_", not starting with a digit, like "DATABASE_URL", got "database-url"',
    ],
  },
  {
    name: "a secret listed twice, and one that is also in env",
    files: webWith("env: { TOKEN: x }\nsecrets: [DB_URL, DB_URL, TOKEN]\n"),
    expected: [
      'apps/web.yaml:6:19 secrets.1: "DB_URL" is listed twice',
      'apps/web.yaml:6:27 secrets.2: "TOKEN" is both a secret and in env; keep one (secrets never live in git)',
    ],
  },
  {
    name: "a hook that is neither a list nor a string",
    files: webWith("hooks: { beforeDeploy: { run: migrate } }\n"),
    expected: [
      "apps/web.yaml:5:24 hooks.beforeDeploy: expected a command as a list like [sh, -c, ./migrate] or a string, got a map",
    ],
  },
  {
    name: "an unknown hook",
    files: webWith("hooks: { afterDeploy: [x] }\n"),
    expected: [
      'apps/web.yaml:5:10 hooks.afterDeploy: unknown key; did you mean "beforeDeploy"? Allowed here: beforeDeploy, timeout',
    ],
  },
  {
    name: "memory too small or not a size, cpus zero",
    files: webWith("resources: { memory: 1m, cpus: 0 }\n"),
    expected: [
      'apps/web.yaml:5:22 resources.memory: expected a size of at least 6m like "256m" or "1g", got "1m"',
      "apps/web.yaml:5:32 resources.cpus: expected a number of CPUs above 0 like 0.5 or 2, got 0",
    ],
  },
  {
    name: "a volume both named and bound, one neither, a relative target and a target twice",
    files: webWith(
      "volumes:\n  - { name: data, source: /srv, target: /data }\n  - { target: /cache }\n  - { name: x, target: data }\n  - { name: y, target: /data }\n",
    ),
    expected: [
      'apps/web.yaml:6:19 volumes.0.source: use either "name" (a named volume) or "source" (a bind), not both',
      'apps/web.yaml:7:5 volumes.1: missing "name" or "source": a named volume (name: data) or a directory of the host (source: /srv/files)',
      'apps/web.yaml:8:24 volumes.2.target: expected an absolute path in the container like "/data", got "data"',
      'apps/web.yaml:9:24 volumes.3.target: "/data" is mounted twice; first at volumes.0',
    ],
  },
  {
    name: "shared and readOnly on a bind",
    files: webWith("volumes: [{ source: /etc/ssl, target: /ssl, shared: true, readOnly: false }]\n"),
    expected: [
      "apps/web.yaml:5:45 volumes.0.shared: shared is for named volumes; a bind is one directory of each host already",
      "apps/web.yaml:5:59 volumes.0.readOnly: binds are always read-only; leave readOnly out",
    ],
  },
  {
    name: "an empty command and a bare-number stop timeout",
    files: webWith("command: []\nstopTimeout: 30\n"),
    expected: [
      "apps/web.yaml:5:10 command: expected a command as a list like [httpd, -f] or a string, got an empty list",
      'apps/web.yaml:6:14 stopTimeout: expected a duration like "2s", got 30',
    ],
  },
];

describe("apps/*.yaml problems, exact text", () => {
  it.each([...keys, ...values, ...containerKeys])("$name", ({ files, expected }) => {
    expect(problems(files)).toEqual(expected);
  });
});
