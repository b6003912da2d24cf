/**
 * compose.yaml, as docker-compose (Debian's package, scripts/ensure-compose.sh)
 * reads it: valid, with dockhand and an append-only Redis, the Docker socket
 * mounted with its group added (dockhand is not root) and the proxy's ports
 * published; and it refuses to start without the variables dockhand cannot
 * run without. test/e2e/dockhand-image.test.ts builds the image and runs it
 * with the same mounts and group.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..", "..", "..");

function compose(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DOCKHAND_REPO: _r, DOCKHAND_WEBHOOK_SECRET: _s, DOCKER_GID: _g, ...rest } = process.env;
  return new Promise((resolve) => {
    execFile(
      "docker-compose",
      ["-f", join(ROOT, "compose.yaml"), "config"],
      { cwd: ROOT, env: { ...rest, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface Service {
  command?: string[];
  group_add?: string[];
  environment?: Record<string, string>;
  ports?: Array<{ published: number; target: number }>;
  /** docker-compose 1.x prints volumes in the short form, `source:target:mode`. */
  volumes?: string[];
}

/** The variables compose.yaml cannot do without. */
const REQUIRED = { DOCKHAND_REPO: "git@github.com:acme/deploy.git", DOCKHAND_WEBHOOK_SECRET: "s", DOCKER_GID: "998" };

describe("compose.yaml", () => {
  it("passes docker-compose config, with dockhand, Redis (append-only), the socket and its group, ports 80/443", async () => {
    const result = await compose(REQUIRED);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const config = parse(result.stdout) as { services: Record<string, Service> };
    const { dockhand, redis } = config.services;
    expect(redis?.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(dockhand?.environment?.REDIS_URL).toBe("redis://redis:6379");
    expect(dockhand?.environment?.DOCKHAND_REPO).toBe("git@github.com:acme/deploy.git");
    expect(dockhand?.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock:rw");
    expect(dockhand?.group_add).toEqual(["998"]);
    expect(dockhand?.ports?.map((p) => [p.published, p.target])).toEqual(
      expect.arrayContaining([
        [80, 80],
        [443, 443],
      ]),
    );
  });

  it("refuses to run without DOCKHAND_REPO, saying what to set", async () => {
    const { DOCKHAND_REPO: _, ...rest } = REQUIRED;
    const result = await compose(rest);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("set DOCKHAND_REPO to the deploy repo's git URL");
  });

  it("refuses to run without DOCKER_GID (the socket's group, for a dockhand that is not root), saying how to find it", async () => {
    const { DOCKER_GID: _, ...rest } = REQUIRED;
    const result = await compose(rest);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "set DOCKER_GID to the group id of the Docker socket: stat -c %g /var/run/docker.sock",
    );
  });
});
