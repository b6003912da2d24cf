import { UnrecoverableError } from "bullmq";
import { describe, expect, it } from "vitest";
import type { AppOutcome, DeployOutcome } from "../../../../src/model/index.js";
import type { QueuedSync } from "../../../../src/worker/queue/sync-queue.js";
import { failureOf, requestToRun, skipReason } from "../../../../src/worker/queue/sync-verdict.js";

const app = (status: AppOutcome["status"], code?: string): AppOutcome => ({
  app: "web",
  env: "production",
  status,
  durationMs: 1,
  ...(code ? { error: { code: code as never, message: `${code} happened` } } : {}),
});
const outcome = (
  status: DeployOutcome["status"],
  apps: AppOutcome[],
  error?: DeployOutcome["error"],
): DeployOutcome => ({
  sha: "abc",
  status,
  apps,
  ...(error ? { error } : {}),
});
const idle = () => AbortSignal.abort();
const live = () => new AbortController().signal;

describe("failureOf", () => {
  it.each<[string, DeployOutcome, "none" | "retry" | "final", string?]>([
    ["a success", outcome("succeeded", [app("succeeded")]), "none"],
    ["nothing to do", outcome("noop", [app("noop")]), "none"],
    ["an engine unreachable", outcome("failed", [app("failed", "DOCKHAND_E_HOST_UNREACHABLE")]), "retry"],
    [
      "a failed health gate",
      outcome("failed", [app("rolledBack", "DOCKHAND_E_HEALTH")]),
      "final",
      "rollout failed (web: DOCKHAND_E_HEALTH happened)",
    ],
    [
      "unreachable and unhealthy together: final (a retry would roll the unhealthy app again)",
      outcome("failed", [app("failed", "DOCKHAND_E_HOST_UNREACHABLE"), app("rolledBack", "DOCKHAND_E_HEALTH")]),
      "final",
    ],
    [
      "a config error",
      outcome("failed", [], { code: "DOCKHAND_E_CONFIG", message: "invalid deploy repo (1 problem)" }),
      "final",
      "invalid deploy repo (1 problem)",
    ],
  ])("%s", (_name, result, expected, message) => {
    const failure = failureOf(result, live(), live(), 1_000);
    if (expected === "none") expect(failure).toBeUndefined();
    else expect(failure instanceof UnrecoverableError).toBe(expected === "final");
    if (message) expect(failure?.message).toBe(message);
  });

  it("a cancel and a timeout are final, whatever the outcome", () => {
    const cancelled = new AbortController();
    cancelled.abort(new Error("cancelled through the API"));
    expect(failureOf(outcome("noop", []), cancelled.signal, live(), 5)?.message).toBe(
      "sync cancelled: cancelled through the API",
    );
    expect(failureOf(outcome("succeeded", []), live(), idle(), 5)).toEqual(
      new UnrecoverableError("sync timed out after 5 ms"),
    );
  });
});

describe("skipReason", () => {
  const repo = {};
  it("skips a request an earlier, finished sync already covered", async () => {
    const skip = await skipReason(
      { trigger: "push", env: "production", seq: 4, sha: "b" },
      { repo, applied: { sha: "a", at: 1 }, doneSeq: 7 },
    );
    expect(skip).toEqual({
      reason: "request 4 was covered by a sync that already finished",
      outcome: { sha: "b", status: "noop", apps: [] },
    });
  });

  it("runs a newer request, and one from before numbering (no seq)", async () => {
    expect(
      await skipReason({ trigger: "push", env: "production", seq: 8 }, { repo, applied: undefined, doneSeq: 7 }),
    ).toBeUndefined();
    expect(
      await skipReason({ trigger: "api", env: "production" }, { repo, applied: undefined, doneSeq: 7 }),
    ).toBeUndefined();
  });
});

describe("requestToRun", () => {
  const request = (seq: number, trigger: QueuedSync["trigger"], sha: string): QueuedSync => ({
    trigger,
    env: "production",
    sha,
    seq,
  });

  it.each<[string, QueuedSync, QueuedSync | undefined, QueuedSync]>([
    ["its own when nothing newer came", request(3, "push", "a"), request(3, "push", "a"), request(3, "push", "a")],
    ["its own when no request is recorded", request(3, "push", "a"), undefined, request(3, "push", "a")],
    ["a newer push", request(3, "push", "a"), request(4, "push", "b"), request(4, "push", "b")],
    [
      "a newer promotion over a re-converge",
      request(3, "startup", "a"),
      request(4, "promote", "b"),
      request(4, "promote", "b"),
    ],
    [
      "a newer promotion over a promotion",
      request(3, "promote", "a"),
      request(4, "promote", "b"),
      request(4, "promote", "b"),
    ],
    [
      "its promotion, never a later re-converge of the old commit",
      request(3, "promote", "b"),
      request(4, "poll", "a"),
      request(3, "promote", "b"),
    ],
  ])("runs %s", (_what, own, wanted, expected) => {
    expect(requestToRun(own, wanted)).toEqual(expected);
  });
});
