/**
 * Installation tokens across time, on a faked Date (auth-app's cache, its
 * replication retries and the fake GitHub all read Date). Time here only
 * moves forward: octokit's throttling keeps timestamps in module state, and
 * a clock set back would make it wait for them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { closeRig, type GitHubRig, INSTALLATION, listStatuses, REPOSITORY, startRig } from "./github-fixtures.js";

let rig: GitHubRig | undefined;
beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
});
afterAll(() => {
  vi.useRealTimers();
});
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

describe("installation tokens over an hour", () => {
  it("renews the token when auth-app's cache lets it go (59 minutes), before GitHub's hour runs out", async () => {
    rig = await startRig("app", { fake: { now: () => Date.now() } });
    await listStatuses(rig, REPOSITORY, INSTALLATION);
    vi.setSystemTime(Date.now() + 58 * 60_000);
    await listStatuses(rig, REPOSITORY, INSTALLATION);
    expect(rig.fake.issuedTokens).toHaveLength(1);
    vi.setSystemTime(Date.now() + 90_000); // 59.5 minutes: the old token would still pass, and is not used
    await listStatuses(rig, REPOSITORY, INSTALLATION);
    const [first, second] = rig.fake.issuedTokens;
    expect(second).toBeDefined();
    expect(rig.fake.calls("repos/list-commit-statuses-for-ref").map((r) => r.credential)).toEqual([
      first?.token,
      first?.token,
      second?.token,
    ]);
  });

  it("drops a token GitHub refuses after its first seconds, so the next request gets a new one", async () => {
    rig = await startRig("app", { fake: { now: () => Date.now() } });
    await listStatuses(rig);
    vi.setSystemTime(Date.now() + 10_000); // past auth-app's five seconds of replication retries
    rig.fake.failNext("repos/list-commit-statuses-for-ref", { status: 401, body: { message: "Bad credentials" } });
    await expect(listStatuses(rig)).rejects.toMatchObject({ status: 401 });
    await listStatuses(rig);
    expect(rig.fake.issuedTokens).toHaveLength(2);
    expect(rig.fake.calls("repos/list-commit-statuses-for-ref").map((r) => r.status)).toEqual([200, 401, 200]);
  });
});
