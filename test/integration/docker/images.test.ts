import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { DockerHosts } from "../../../src/docker/index.js";
import { testbedHosts } from "../../support/testbed.js";
import {
  appContext,
  cleanupRun,
  contextTar,
  failureOf,
  lineCollector,
  newRunId,
  RUN_LABEL,
} from "./docker-fixtures.js";

const runId = newRunId();
const hosts = new DockerHosts(testbedHosts());
const image = `dockhand-test/app:${runId}`;

afterAll(async () => {
  await hosts.close();
  await cleanupRun(runId);
});

describe("DockerHosts.build", () => {
  it("builds an image from a tar stream and sends the build output to the log", async () => {
    const log = lineCollector();
    expect(await hosts.hasImage("alpha", image)).toBe(false);
    await hosts.build("alpha", image, appContext(runId), "Dockerfile", log.sink);
    expect(await hosts.hasImage("alpha", image)).toBe(true);
    expect(log.lines[0]).toMatch(/^Step 1\/\d+ : FROM busybox:stable$/);
    expect(log.lines).toContain(`Successfully tagged ${image}`);
    expect(log.lines.every((line) => line.length > 0 && !line.endsWith("\n"))).toBe(true);
  });

  it("fails with DOCKHAND_E_BUILD carrying the last 20 lines of output", async () => {
    const steps = Array.from({ length: 30 }, (_, i) => `echo line-${i}`).join(" && ");
    const dockerfile = `FROM busybox:stable\nLABEL ${RUN_LABEL}=${runId}\nRUN ${steps} && exit 3\n`;
    const log = lineCollector();
    const err = await failureOf(
      hosts.build(
        "alpha",
        `dockhand-test/broken:${runId}`,
        contextTar({ Dockerfile: dockerfile }),
        "Dockerfile",
        log.sink,
      ),
    );
    expect(err.code).toBe("DOCKHAND_E_BUILD");
    const [headline, label, ...tail] = err.message.split("\n");
    expect(headline).toMatch(
      new RegExp(
        `^build of dockhand-test/broken:${runId} on host alpha failed: The command .* returned a non-zero code: 3$`,
      ),
    );
    expect(label).toBe("last build output:");
    expect(tail).toHaveLength(20);
    expect(tail).toContain("  line-29");
    expect(tail).not.toContain("  line-0");
    expect(log.lines.at(-1)).toMatch(/^error: The command .* returned a non-zero code: 3$/);
  });

  it("fails with DOCKHAND_E_BUILD when the Dockerfile is not in the context", async () => {
    const err = await failureOf(
      hosts.build(
        "beta",
        `dockhand-test/nofile:${runId}`,
        contextTar({ "README.md": "hi\n" }),
        "Dockerfile",
        () => undefined,
      ),
    );
    expect(err.code).toBe("DOCKHAND_E_BUILD");
    expect(err.message).toMatch(
      new RegExp(`^build of dockhand-test/nofile:${runId} on host beta failed: .*Dockerfile`),
    );
  });

  it("fails with DOCKHAND_E_BUILD when the context stream breaks", async () => {
    const context = new PassThrough();
    context.write(Buffer.alloc(512));
    setTimeout(() => context.destroy(new Error("git archive died")), 50);
    const err = await failureOf(
      hosts.build("alpha", `dockhand-test/cut:${runId}`, context, "Dockerfile", () => undefined),
    );
    expect(err.code).toBe("DOCKHAND_E_BUILD");
    expect(err.message).toContain("reading the build context failed: git archive died");
  });
});

describe("DockerHosts.ship", () => {
  it("streams an image from alpha to beta", async () => {
    expect(await hosts.hasImage("beta", image)).toBe(false);
    await hosts.ship(image, "alpha", "beta");
    expect(await hosts.hasImage("beta", image)).toBe(true);
    const observed = await hosts.observe(runId);
    expect(observed.hosts.find((h) => h.name === "beta")?.images).toContain(image);
  });

  it("says which host lacks the image when the source does not have it", async () => {
    const missing = `dockhand-test/missing:${runId}`;
    const err = await failureOf(hosts.ship(missing, "beta", "alpha"));
    expect(err).toMatchObject({
      code: "DOCKHAND_E_DOCKER",
      message: `shipping ${missing} from host beta to host alpha failed: host beta has no image ${missing}`,
    });
  });
});

describe("DockerHosts.pull", () => {
  it("names the host and the reference when the image cannot be pulled", async () => {
    const reference = `127.0.0.1:1/dockhand-test/absent:${runId}`;
    const err = await failureOf(hosts.pull("beta", reference, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_DOCKER");
    expect(err.message).toMatch(new RegExp(`^host beta: pull ${reference.replace(/[./]/g, "\\$&")} failed`));
  });
});
