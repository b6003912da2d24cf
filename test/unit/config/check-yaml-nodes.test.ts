import { describe, expect, it } from "vitest";
import { readYamlFile, toData } from "../../../src/config/yaml-file.js";
import { formatConfigIssue } from "../../../src/model/index.js";

function issuesOf(yaml: string): string[] {
  return readYamlFile("apps/web.yaml", yaml).issues.map(formatConfigIssue);
}

/** Block maps `levels` deep, counting the root map. */
function nestedMaps(levels: number): string {
  return `${Array.from({ length: levels }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")} x\n`;
}

/** Calls `fn` with `frames` more frames on the stack, as a deeper caller or a thread with less stack would. */
function underFrames<T>(frames: number, fn: () => T): T {
  return frames === 0 ? fn() : underFrames(frames - 1, fn);
}

/** A list of `items` scalars under an anchor, then `aliases` aliases to it. */
function copies(items: number, aliases: number): string {
  return `a: &a [${Array(items).fill("x").join(", ")}]\nb: [${Array(aliases).fill("*a").join(", ")}]\n`;
}

describe("checkYamlNodes: what the parser leaves to the reader, in one pass", () => {
  it.each([
    {
      name: "a key twice in a block map",
      yaml: 'env:\n  A: "1"\n  B: "2"\n  A: "3"\n',
      expected: ["apps/web.yaml:4:3 env.A: env.A appears twice (first at line 2); keep one"],
    },
    {
      name: "a key twice in a flow map, on one line",
      yaml: 'env: { A: "1", A: "2" }\n',
      expected: ["apps/web.yaml:1:16 env.A: env.A appears twice (first at line 1, column 8); keep one"],
    },
    {
      name: "a key three times: every later one, each pointing at the first",
      yaml: "port: 1\nport: 2\nport: 3\n",
      expected: [
        "apps/web.yaml:2:1 port: port appears twice (first at line 1); keep one",
        "apps/web.yaml:3:1 port: port appears twice (first at line 1); keep one",
      ],
    },
    {
      name: "a key twice in a map inside a list: the path counts the items",
      yaml: "volumes:\n  - source: a\n  - source: b\n    target: /x\n    source: c\n",
      expected: ["apps/web.yaml:5:5 volumes.1.source: volumes.1.source appears twice (first at line 3); keep one"],
    },
    {
      name: "the same key in two maps is no duplicate",
      yaml: "health: { port: 1 }\nport: 2\n",
      expected: [],
    },
    {
      name: "an alias before its anchor",
      yaml: "a: *later\nb: &later v\n",
      expected: ['apps/web.yaml:1:4 *later reads as a YAML alias; to mean the text, quote it: "*later"'],
    },
    {
      name: "an alias inside the map it names",
      yaml: "env: &e { A: *e }\n",
      expected: ["apps/web.yaml:1:14 *e stands for the value that contains it; YAML data here cannot contain itself"],
    },
    {
      name: "an alias deep inside the list it names",
      yaml: "command: &c [a, [b, *c]]\n",
      expected: ["apps/web.yaml:1:21 *c stands for the value that contains it; YAML data here cannot contain itself"],
    },
    {
      name: "aliases of aliases, ten times ten times ten (billion laughs)",
      yaml: [
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
        "",
      ].join("\n"),
      // a stands for 11 values, b for 111, c for 1111: after c, 1220 are copied, and d's 8th *c passes 10000.
      expected: [
        "apps/web.yaml:4:36 the aliases up to here copy more than 10000 values (each *name copies its anchor's whole value, aliases inside it included); write the values out instead",
      ],
    },
    {
      name: "99 copies of a 101-value list (9999 values): within the limit",
      yaml: copies(100, 99),
      expected: [],
    },
    {
      name: "100 copies of a 101-value list (10100 values): the last alias passes the limit",
      yaml: copies(100, 100),
      expected: [
        "apps/web.yaml:2:401 the aliases up to here copy more than 10000 values (each *name copies its anchor's whole value, aliases inside it included); write the values out instead",
      ],
    },
    {
      name: "block maps 64 levels deep: within the limit",
      yaml: nestedMaps(64),
      expected: [],
    },
    {
      name: "block maps 65 levels deep: the 65th is refused",
      yaml: nestedMaps(65),
      expected: ["apps/web.yaml:65:129 maps and lists nest deeper than 64 levels here; dockhand reads at most 64"],
    },
    {
      name: "block maps 900 levels deep: one issue, at the 65th",
      yaml: nestedMaps(900),
      expected: ["apps/web.yaml:65:129 maps and lists nest deeper than 64 levels here; dockhand reads at most 64"],
    },
  ])("$name", ({ yaml, expected }) => {
    expect(issuesOf(yaml)).toEqual(expected);
  });

  it("says block nesting is too deep once, also where the parser's own stack overflowed", () => {
    const yaml = nestedMaps(900);
    // Less and less stack left, until the composer overflows (where Node 22 runs this file, it does at 0).
    let read = readYamlFile("apps/web.yaml", yaml);
    const overflowed = () => read.file.doc.errors.some((e) => /call stack/i.test(e.message));
    for (let frames = 200; !overflowed() && frames < 50_000; frames += 200) {
      read = underFrames(frames, () => readYamlFile("apps/web.yaml", yaml));
    }
    expect(overflowed()).toBe(true);
    expect(read.issues.map(formatConfigIssue)).toEqual([
      "apps/web.yaml:65:129 maps and lists nest deeper than 64 levels here; dockhand reads at most 64",
    ]);
  });

  it("gives each alias the latest anchor of its name before it", () => {
    const { file, issues } = readYamlFile("apps/web.yaml", "a: &v first\nb: &v second\nc: [*v, &v third, *v]\n");
    expect(issues).toEqual([]);
    expect(toData(file)).toEqual({ a: "first", b: "second", c: ["second", "third", "third"] });
  });

  it("still reads ordinary anchors and aliases as data", () => {
    const { file, issues } = readYamlFile("apps/web.yaml", "image: &img busybox\nenv: &env { IMAGE: *img }\nx: *env\n");
    expect(issues).toEqual([]);
    expect(toData(file)).toEqual({ image: "busybox", env: { IMAGE: "busybox" }, x: { IMAGE: "busybox" } });
  });

  it("reads a file of 8000 distinct keys in one linear pass", () => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `K${i}: v`).join("\n");
    expect(issuesOf(`${keys(8000)}\nK7999: again\n`)).toEqual([
      "apps/web.yaml:8001:1 K7999: K7999 appears twice (first at line 8000); keep one",
    ]);
    // The parser's own check (uniqueKeys) compares each key with every earlier one: four times the
    // keys took sixteen times as long. Timed against a quarter of the file in the same run (best of
    // three each), so a busy machine slows both alike; linear is about 4.
    const best = (yaml: string) =>
      Math.min(
        ...[1, 2, 3].map(() => {
          const started = performance.now();
          issuesOf(yaml);
          return performance.now() - started;
        }),
      );
    const quarter = best(keys(2000));
    const whole = best(keys(8000));
    expect(whole / quarter).toBeLessThan(9);
  });
});
