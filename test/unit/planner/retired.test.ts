import { describe, expect, it } from "vitest";
import { retiredName } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import { app, bumped, changeOf, container, desired, host, observe, slotsOf, stepsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];

/** A version of `web` a rollout kept, stopped, for `dockhand rollback` (issue 4). */
function kept(slot: number, hostName: string, at = 1_700_000_000_000) {
  const old = app("web", { replicas: 2 });
  const c = container(old, slot, hostName, { state: "exited", health: "none", hostPort: undefined });
  return { ...c, id: `${c.id}-kept`, name: retiredName(c.name, at), retiredAt: at };
}

describe("kept (retired) containers", () => {
  it("serve no slot: a desired app with only kept containers beside its running ones is unchanged", () => {
    const web = bumped(app("web", { replicas: 2 }));
    const running = [container(web, 0, "alpha"), container(web, 1, "beta")];
    const p = plan(desired(hosts, [web]), observe(hosts, [...running, kept(0, "alpha"), kept(1, "beta")]));
    expect(changeOf(p, "web").kind).toBe("unchanged");
    expect(stepsOf(p, "web")).toEqual([]);
  });

  it("do not fill a missing slot: the slot gets a new container, the kept one stays", () => {
    const web = bumped(app("web", { replicas: 2 }));
    const p = plan(desired(hosts, [web]), observe(hosts, [container(web, 0, "alpha"), kept(1, "beta")]));
    expect(slotsOf(p, "web")).toEqual(["0 keep alpha", "1 create beta (scale up to 2 replicas)"]);
    expect(stepsOf(p, "web").filter((s) => s.startsWith("remove"))).toEqual([]);
  });

  it("go with their app when the app leaves the deploy repo", () => {
    const web = bumped(app("web", { replicas: 1 }));
    const gone = kept(0, "alpha");
    const p = plan(desired(hosts, []), observe(hosts, [container(web, 0, "alpha"), gone]));
    expect(changeOf(p, "web").kind).toBe("delete");
    expect(stepsOf(p, "web")).toContain(`remove ${gone.name}@alpha`);
  });

  it("alone still make an app that left the deploy repo go", () => {
    const gone = kept(0, "beta");
    const p = plan(desired(hosts, []), observe(hosts, [gone]));
    expect(stepsOf(p, "web")).toEqual([`remove ${gone.name}@beta`]);
  });
});
