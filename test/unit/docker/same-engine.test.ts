import { describe, expect, it } from "vitest";
import { setAsideSameEngines } from "../../../src/docker/same-engine.js";
import type { ObservedContainer, ObservedHost } from "../../../src/model/index.js";
import { DockhandError } from "../../../src/model/index.js";

const A = "ID-A (vm, /var/lib/docker)";
const B = "ID-B (vm, /var/lib/docker-b)";

function seen(name: string, engine: string | undefined): ObservedHost {
  const container = { id: "c1", name: "web-production-0-abc", host: name } as ObservedContainer;
  return engine === undefined
    ? { name, reachable: false, error: "down", containers: [], images: [] }
    : { name, reachable: true, engine, containers: [container], images: ["web:1"] };
}

function listed(hosts: ObservedHost[]): Array<[string, number]> {
  return hosts.map((h) => [h.name, h.containers.length]);
}

describe("setAsideSameEngines", () => {
  it.each([
    [
      "distinct engines",
      [seen("a", A), seen("b", B)],
      [],
      [
        ["a", 1],
        ["b", 1],
      ],
    ],
    [
      "an unreachable host has no identity to compare",
      [seen("a", A), seen("b", undefined)],
      [],
      [
        ["a", 1],
        ["b", 0],
      ],
    ],
    [
      "a dropped host on a current host's engine was renamed: it lists nothing",
      [seen("old", A), seen("new", A)],
      ["old"],
      [
        ["old", 0],
        ["new", 1],
      ],
    ],
    [
      "two dropped hosts on one engine: the first keeps its containers",
      [seen("x", A), seen("y", A), seen("b", B)],
      ["x", "y"],
      [
        ["x", 1],
        ["y", 0],
        ["b", 1],
      ],
    ],
  ] as const)("%s", (_name, hosts, dropped, expected) => {
    expect(listed(setAsideSameEngines([...hosts], new Set(dropped)))).toEqual(expected);
  });

  it("throws for hosts of dockhand.yaml on one engine, naming each", () => {
    const run = () => setAsideSameEngines([seen("c", A), seen("a", A), seen("b", A), seen("d", B)], new Set());
    expect(run).toThrow(DockhandError);
    expect(run).toThrow(/^hosts a, b and c are one Docker engine \(ID-A \(vm, \/var\/lib\/docker\)\): /);
    expect(run).toThrow(expect.objectContaining({ code: "DOCKHAND_E_PLAN", transient: false }));
  });

  it("throws when a dropped host shares the engine too, naming only the current ones", () => {
    const run = () => setAsideSameEngines([seen("a", A), seen("b", A), seen("old", A)], new Set(["old"]));
    expect(run).toThrow(/^hosts a and b are one Docker engine/);
  });
});
