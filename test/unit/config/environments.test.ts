import { describe, expect, it } from "vitest";
import { DOCKHAND_YAML, parse, problems } from "./deploy-repo-fixture.js";

const TWO = `${DOCKHAND_YAML}environments:
  staging: {}
  production:
    promote: { from: staging, after: 10m }
`;

const WEB = `name: web
image: busybox:stable
port: 8080
replicas: 3
hostnames: [www.example.com]
env: { LEVEL: info, REGION: eu }
environments:
  staging:
    replicas: 1
    hostnames: [staging.example.com]
    env: { LEVEL: debug }
    placement: { hosts: [alpha] }
`;

function appsOf(files: Record<string, string>) {
  return parse(files).apps.map((a) => ({
    name: a.name,
    env: a.env,
    replicas: a.replicas,
    hostnames: a.hostnames,
    environment: a.environment,
    placement: a.placement,
  }));
}

describe("environments in dockhand.yaml", () => {
  it("is production alone, following the branch, when the file names none", () => {
    const state = parse({});
    expect(state.environments).toEqual([{ name: "production" }]);
    expect(state.apps.map((a) => a.env)).toEqual(["production"]);
  });

  it("reads staging and a production promoted from it after a while, in file order", () => {
    const state = parse({ "dockhand.yaml": TWO, "apps/web.yaml": WEB });
    expect(state.environments).toEqual([
      { name: "staging" },
      { name: "production", promote: { from: "staging", afterMs: 600_000 } },
    ]);
  });

  it("reads manual promotion, and bases previews on the first environment that follows the branch", () => {
    const yaml = `${DOCKHAND_YAML}previews: { domain: pr.example.com }
environments:
  production: { promote: { from: staging, manual: true } }
  staging: {}
`;
    const state = parse({ "dockhand.yaml": yaml, "apps/web.yaml": WEB });
    expect(state.environments?.[0]).toEqual({ name: "production", promote: { from: "staging", manual: true } });
    expect(state.previews?.base).toBe("staging");
  });

  it.each([
    [
      "a promotion from nowhere",
      "  staging: {}\n  production: { promote: { from: stagin, after: 1m } }\n",
      'dockhand.yaml:13:34 environments.production.promote.from: no environment "stagin" in dockhand.yaml (it has staging, production); did you mean "staging"?',
    ],
    [
      "a promotion from itself",
      "  staging: {}\n  production: { promote: { from: production, after: 1m } }\n",
      "dockhand.yaml:13:34 environments.production.promote.from: an environment cannot promote from itself; name another one (staging)",
    ],
    [
      "a promotion that says neither when nor how",
      "  staging: {}\n  production: { promote: { from: staging } }\n",
      "dockhand.yaml:13:17 environments.production.promote: say when to promote: after: 10m (once the source ran the commit healthy that long) or manual: true",
    ],
    [
      "after and manual both",
      "  staging: {}\n  production: { promote: { from: staging, after: 1m, manual: true } }\n",
      "dockhand.yaml:13:54 environments.production.promote.manual: give either after (promote automatically) or manual: true, not both",
    ],
    [
      "a name that is a preview's",
      "  staging: {}\n  pr-12: {}\n",
      'dockhand.yaml:13:3 environments.pr-12: expected an environment name of lowercase letters, digits and "-", starting with a letter, up to 24 characters, not pr-<n>, like "staging", got "pr-12"',
    ],
  ])("refuses %s, saying where and what would be right", (_what, envs, message) => {
    expect(problems({ "dockhand.yaml": `${DOCKHAND_YAML}environments:\n${envs}`, "apps/web.yaml": WEB })).toEqual([
      message,
    ]);
  });

  it("refuses a loop of promotions, naming each environment on it", () => {
    const envs = "  qa: { promote: { from: staging, after: 1m } }\n  staging: { promote: { from: qa, after: 1m } }\n";
    const found = problems({ "dockhand.yaml": `${DOCKHAND_YAML}environments:\n${envs}`, "apps/web.yaml": WEB });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining("promotion goes round in a loop (qa ─▶ staging ─▶ qa)"),
        expect.stringContaining("promotion goes round in a loop (staging ─▶ qa ─▶ staging)"),
        expect.stringContaining("every environment promotes from another: at least one must follow the branch"),
      ]),
    );
  });

  it("refuses previews based on an environment that does not exist", () => {
    const yaml = `${DOCKHAND_YAML}previews: { domain: pr.example.com, base: qa }\nenvironments:\n  staging: {}\n`;
    expect(problems({ "dockhand.yaml": yaml, "apps/web.yaml": WEB })).toEqual([
      'dockhand.yaml:11:43 previews.base: no environment "qa" in dockhand.yaml (it has staging)',
    ]);
  });
});

describe("an app per environment", () => {
  it("merges an environment's overrides over the app: maps key by key, lists and numbers replaced", () => {
    expect(appsOf({ "dockhand.yaml": TWO, "apps/web.yaml": WEB })).toEqual([
      {
        name: "web",
        env: "production",
        replicas: 3,
        hostnames: ["www.example.com"],
        environment: { LEVEL: "info", REGION: "eu" },
        placement: {},
      },
      {
        name: "web",
        env: "staging",
        replicas: 1,
        hostnames: ["staging.example.com"],
        environment: { LEVEL: "debug", REGION: "eu" },
        placement: { hosts: ["alpha"] },
      },
    ]);
  });

  it("gives each environment its own spec hash when the container differs, and the same when it does not", () => {
    const state = parse({ "dockhand.yaml": TWO, "apps/web.yaml": WEB });
    const [production, staging] = state.apps;
    expect(production?.specHash).not.toBe(staging?.specHash);
    const same = parse({
      "dockhand.yaml": TWO,
      "apps/web.yaml": "name: web\nimage: busybox:stable\nport: 8080\nenvironments: { staging: { replicas: 2 } }\n",
    }).apps;
    expect(same.map((a) => [a.env, a.replicas])).toEqual([
      ["production", 1],
      ["staging", 2],
    ]);
    expect(same[0]?.specHash).toBe(same[1]?.specHash);
  });

  it("leaves an app out of an environment that says false", () => {
    const tools = "name: tools\nimage: busybox:stable\nenvironments: { production: false }\n";
    const apps = appsOf({ "dockhand.yaml": TWO, "apps/web.yaml": WEB, "apps/tools.yaml": tools });
    expect(apps.map((a) => `${a.name}/${a.env}`)).toEqual(["tools/staging", "web/production", "web/staging"]);
  });

  it("points a bad override value at the override's line, once", () => {
    const web = WEB.replace("    replicas: 1", "    replicas: -1");
    expect(problems({ "dockhand.yaml": TWO, "apps/web.yaml": web })).toEqual([
      "apps/web.yaml:9:15 environments.staging.replicas: expected a whole number of replicas, 0 or more, got -1",
    ]);
  });

  it("checks the merged app as a whole: hostnames given to a worker in one environment", () => {
    const worker = "name: jobs\nimage: busybox:stable\nenvironments:\n  staging: { hostnames: [jobs.example.com] }\n";
    const found = problems({ "dockhand.yaml": TWO, "apps/web.yaml": WEB, "apps/jobs.yaml": worker });
    expect(found).toEqual([
      "apps/jobs.yaml:4:14 hostnames: hostnames need port: the proxy sends their requests to the port the container listens on; add port, or remove hostnames for a worker",
    ]);
  });

  it("refuses one hostname in two environments, naming both places", () => {
    const web = WEB.replace("    hostnames: [staging.example.com]\n", "");
    expect(problems({ "dockhand.yaml": TWO, "apps/web.yaml": web })).toEqual([
      'apps/web.yaml:5:13 hostnames.0: "www.example.com" would be served in both staging and production; two environments never share a hostname: give production its own under environments.production.hostnames',
    ]);
  });

  it("refuses overrides of a key that cannot differ, and of an environment dockhand.yaml lacks", () => {
    const web = `${WEB}  qa: { replicas: 1 }\n  production: { image: busybox:other }\n`;
    const found = problems({ "dockhand.yaml": TWO, "apps/web.yaml": web });
    expect(found).toEqual([
      'apps/web.yaml:13:3 environments.qa: no environment "qa" in dockhand.yaml (it has staging, production)',
      "apps/web.yaml:14:17 environments.production.image: unknown key; allowed here: replicas, hostnames, env, placement, resources",
    ]);
  });

  it("refuses environments in an app when dockhand.yaml names none but production", () => {
    const web = "name: web\nimage: busybox:stable\nport: 8080\nenvironments: { staging: { replicas: 1 } }\n";
    expect(problems({ "apps/web.yaml": web })).toEqual([
      'apps/web.yaml:4:17 environments.staging: no environment "staging" in dockhand.yaml (it has production)',
    ]);
  });
});
