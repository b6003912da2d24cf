import { describe, expect, it } from "vitest";
import { type Plan, WORD_JOINER } from "../../../src/model/index.js";
import { plan, renderPlanMarkdown } from "../../../src/planner/index.js";
import { app, desired, host, observe } from "./fixtures.js";
import { samplePlan } from "./sample-plan.js";

describe("renderPlanMarkdown", () => {
  it("the summary, then a table per changed app, errors as quotes, warnings as a list", () => {
    expect(renderPlanMarkdown(samplePlan())).toBe(
      [
        "### dockhand plan for `/srv/deploy` at `0123456`",
        "",
        "**Plan: 1 to create, 4 to replace, 1 to remove, 2 hostname changes, 1 app unchanged. 1 app cannot be planned.**",
        "",
        "#### api · production · update",
        "",
        "| | change | slot | host | why |",
        "|---|---|---|---|---|",
        "| ~ | replace | 1 | beta | container exited |",
        "| + | create | 2 | beta | no container on a reachable host |",
        "",
        "#### big · production · error",
        "",
        "> :warning: not enough capacity: wanted 9 new containers, free per host: alpha 3, beta 3",
        "",
        "#### old · production · delete",
        "",
        "| | change | slot | host | why |",
        "|---|---|---|---|---|",
        "| - | remove | 0 | beta | app not in the deploy repo |",
        "| → | hostnames |  |  | old.example.com → (none) |",
        "",
        "#### web · production · update",
        "",
        "| | change | slot | host | why |",
        "|---|---|---|---|---|",
        "| ~ | replace | 0 | alpha | image web:1 → web:2 |",
        "| ~ | replace | 1 | beta | image web:1 → web:2 |",
        "| ~ | replace | 2 | gamma → alpha | image web:1 → web:2, host gamma removed from dockhand.yaml |",
        // Text from the deploy repo links nothing: a word joiner breaks GitHub's www. autolink (src/model/markdown-text.ts).
        `| → | hostnames |  |  | www${WORD_JOINER}.example.com → www${WORD_JOINER}.example.com, example.com |`,
        "",
        "**Warnings**",
        "",
        "- host delta unreachable (connect ECONNREFUSED): its containers are presumed alive and left alone; slots without a reachable container are placed on other hosts while it is down",
        "",
      ].join("\n"),
    );
  });

  it("limits the detail to maxApps changed apps and counts the rest", () => {
    const hosts = [host("alpha")];
    const p = plan(
      desired(
        hosts,
        ["a", "b", "c"].map((n) => app(n)),
      ),
      observe(hosts, []),
    );
    const md = renderPlanMarkdown(p, { maxApps: 1 });
    expect(md).toContain("#### a · production · create");
    expect(md).not.toContain("#### b");
    expect(md).toContain("…and 2 more changed apps, not shown here (see `dockhand plan --json`).");
  });

  const escapes = [
    { name: "pipes", text: "a|b", want: "a\\|b" },
    { name: "newlines", text: "a\nb", want: "a b" },
    { name: "markdown emphasis and links", text: "*x* [y](z) <b>", want: "\\*x\\* \\[y\\](z) \\<b\\>" },
  ];
  for (const e of escapes) {
    it(`escapes ${e.name} in cells`, () => {
      const p: Plan = { source: { repo: "r", sha: "s" }, changes: [], warnings: [e.text] };
      expect(renderPlanMarkdown(p)).toContain(`- ${e.want}\n`);
    });
  }
});
