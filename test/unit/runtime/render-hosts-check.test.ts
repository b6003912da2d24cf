import { describe, expect, it } from "vitest";
import type { CheckResult, HostCheck } from "../../../src/docker/index.js";
import { renderHostsCheck } from "../../../src/runtime/render-hosts-check.js";

/** A host's result as the renderer sees it; endpoint, timing and facts do not show in the table. */
function hostCheck(host: string, checks: CheckResult[]): HostCheck {
  const ok = checks.every((c) => c.status !== "fail");
  return {
    host,
    endpoint: "unix:///var/run/docker.sock",
    ok,
    durationMs: 1,
    facts: { transport: "unix", capacity: 1 },
    checks,
  };
}

const alpha = hostCheck("alpha", [
  { check: "reachable", status: "pass", detail: "unix, answered in 2 ms" },
  { check: "storage", status: "warn", detail: "vfs: vfs copies every layer in full", fix: "use overlay2" },
]);

const web2 = hostCheck("web2", [
  { check: "reachable", status: "fail", detail: "connection refused", fix: "start the engine" },
  { check: "authenticated", status: "skip", detail: "not checked: the engine did not answer" },
]);

describe("renderHostsCheck", () => {
  it("prints a line per host and check, the fix under a failure or warning, and a verdict per host", () => {
    expect(renderHostsCheck([alpha, web2], { color: false })).toBe(
      [
        "HOST   CHECK            RESULT",
        "alpha  ✓ reachable      unix, answered in 2 ms",
        "alpha  ! storage        vfs: vfs copies every layer in full",
        "                        fix: use overlay2",
        "web2   ✗ reachable      connection refused",
        "                        fix: start the engine",
        "web2   - authenticated  not checked: the engine did not answer",
        "",
        "1 of 2 hosts failed: alpha ok (1 warning), web2 failed (reachable)",
      ].join("\n"),
    );
  });

  it("says all is well when no host failed, and colours only the mark and the check", () => {
    const text = renderHostsCheck([alpha], { color: true });
    expect(text).toContain("alpha  \x1b[32m✓ reachable\x1b[0m  unix, answered in 2 ms");
    expect(text).toContain("alpha  \x1b[33m! storage\x1b[0m    vfs");
    expect(text.split("\n").at(-1)).toBe("1 host ok: alpha ok (1 warning)");
  });
});
