import { describe, expect, it } from "vitest";
import type { AppSpec } from "../../../src/model/index.js";
import { plan, simulateApply } from "../../../src/planner/index.js";
import { app, changeOf, container, desired, host, observe, route } from "./fixtures.js";

const hosts = [host("alpha", { address: "10.0.0.1" }), host("beta", { address: "10.0.0.2" })];
const db = app("db", {
  port: 6379,
  hostPort: 6379,
  placement: { hosts: ["beta"] },
  rollout: { batch: 1, drainMs: 1000, strategy: "recreate" },
});
const web = app("web", {
  replicas: 2,
  hostnames: ["www.example.com"],
  environment: { GREETING: "hello" },
  envRefs: {
    KV_HOST: [{ app: "db", field: "host" }],
    KV_URL: ["redis://", { app: "db", field: "host" }, ":", { app: "db", field: "port" }, "/0"],
  },
});

function specOf(p: ReturnType<typeof plan>, name: string): AppSpec {
  const spec = changeOf(p, name).spec;
  if (!spec) throw new Error(`no spec for ${name}`);
  return spec;
}

describe("references between apps", () => {
  const empty = observe(hosts, [], { routes: [] });
  const first = plan(desired(hosts, [db, web]), empty);

  it("resolves them from where the plan places the referenced app", () => {
    expect(specOf(first, "web").environment).toEqual({
      GREETING: "hello",
      KV_HOST: "10.0.0.2",
      KV_URL: "redis://10.0.0.2:6379/0",
    });
  });

  it("gives the dependent a spec hash over the resolved values, and a digest per resolved field", () => {
    const spec = specOf(first, "web");
    expect(spec.specHash).not.toBe(web.specHash);
    expect(Object.keys(spec.specFields).sort()).toEqual(["env.KV_HOST", "env.KV_URL", "image", "port"]);
  });

  it("plans nothing once applied", () => {
    const again = plan(desired(hosts, [db, web]), simulateApply(empty, first));
    expect(again.changes.map((c) => `${c.app} ${c.kind}`)).toEqual(["db unchanged", "web unchanged"]);
  });

  it("rolls the dependent, naming the value, when the referenced app moves", () => {
    const applied = simulateApply(empty, first);
    const moved = { ...db, placement: { hosts: ["alpha"] } };
    const p = plan(desired(hosts, [moved, web]), applied);
    expect(changeOf(p, "web").reasons).toEqual(["env KV_HOST changed", "env KV_URL changed"]);
    expect(specOf(p, "web").environment.KV_HOST).toBe("10.0.0.1");
  });

  it("lists every slot's address and port in slot order for endpoints, IPv6 in brackets", () => {
    const v6 = [host("alpha", { address: "fd00::1" }), host("beta", { address: "10.0.0.2" })];
    const two = { ...db, replicas: 2, placement: {} };
    const peers = app("peers", { envRefs: { ALL: [{ app: "db", field: "endpoints" }] } });
    const running = [container(two, 0, "beta"), container(two, 1, "alpha")];
    const p = plan(desired(v6, [two, peers]), observe(v6, running, { routes: [route(two)] }));
    expect(specOf(p, "peers").environment.ALL).toBe("10.0.0.2:6379,[fd00::1]:6379");
  });

  it("is an error on the dependent when the referenced app does not run in its environment", () => {
    const preview = { ...web, env: "pr-3", replicas: 1, hostnames: ["web-pr-3.example.com"] };
    const p = plan(desired(hosts, [db, preview]), observe(hosts, []), { envs: ["pr-3"] });
    expect(changeOf(p, "web", "pr-3").error).toBe(
      `env KV_HOST: \${apps.db.host}: app db does not run in environment pr-3; env KV_URL: \${apps.db.host}: app db does not run in environment pr-3`,
    );
  });

  it("refers to where the referenced app runs when its own change cannot be planned", () => {
    const onBeta = [container(db, 0, "beta")];
    const volumes: AppSpec["volumes"] = [
      { kind: "volume", name: "data", target: "/data", shared: false, readOnly: false },
    ];
    const stuck = { ...db, volumes, placement: { hosts: ["alpha"] } };
    const p = plan(desired(hosts, [stuck, web]), observe(hosts, onBeta, { routes: [route(db)] }));
    expect(changeOf(p, "db").error).toMatch(/would lose data/);
    expect(specOf(p, "web").environment.KV_HOST).toBe("10.0.0.2");
  });
});
