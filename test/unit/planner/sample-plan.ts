import type { Plan } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import { app, bumped, container, desired, host, observe, route } from "./fixtures.js";

/** One plan with every kind of row: create, replace (in place and moved), remove, hostnames, error, warning. */
export function samplePlan(): Plan {
  const hosts = [host("alpha", { capacity: 6 }), host("beta", { capacity: 6 }), host("delta")];
  const web = app("web", { replicas: 3, hostnames: ["www.example.com"] });
  const api = app("api", { replicas: 2 });
  const old = app("old", { hostnames: ["old.example.com"] });
  const big = app("big", { replicas: 9, placement: { hosts: ["alpha", "beta"] } });
  const cron = app("cron");
  const running = [
    container(web, 0, "alpha"),
    container(web, 1, "beta"),
    container(web, 2, "gamma"),
    container(api, 0, "alpha"),
    container(api, 1, "beta", { state: "exited" }),
    container(old, 0, "beta"),
    container(cron, 0, "alpha"),
  ];
  const want = [
    bumped(web, 2, { hostnames: ["www.example.com", "example.com"] }),
    app("api", { replicas: 3 }),
    big,
    cron,
  ];
  const routes = [route(web, ["www.example.com"]), route(old), route(api, []), route(cron, [])];
  return plan(desired(hosts, want), observe(hosts, running, { extraHosts: ["gamma"], unreachable: ["delta"], routes }));
}
