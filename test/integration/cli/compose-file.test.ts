/**
 * compose.yaml, as docker-compose (Debian's package, scripts/ensure-compose.sh)
 * reads it: valid, with dockhand and an append-only Redis, the Docker socket
 * mounted and the proxy's ports published; and it refuses to start without
 * the variables dockhand cannot run without. (The image itself cannot be
 * built here: there is no registry to pull node:20-slim from.)
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..", "..", "..");

function compose(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DOCKHAND_REPO: _r, DOCKHAND_WEBHOOK_SECRET: _s, ...rest } = process.env;
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
  environment?: Record<string, string>;
  ports?: Array<{ published: number; target: number }>;
  /** docker-compose 1.x prints volumes in the short form, `source:target:mode`. */
  volumes?: string[];
}

describe("compose.yaml", () => {
  it("passes docker-compose config, with dockhand, Redis (append-only), the socket and ports 80/443", async () => {
    const result = await compose({ DOCKHAND_REPO: "git@github.com:acme/deploy.git", DOCKHAND_WEBHOOK_SECRET: "s" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const config = parse(result.stdout) as { services: Record<string, Service> };
    const { dockhand, redis } = config.services;
    expect(redis?.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(dockhand?.environment?.REDIS_URL).toBe("redis://redis:6379");
    expect(dockhand?.environment?.DOCKHAND_REPO).toBe("git@github.com:acme/deploy.git");
    expect(dockhand?.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock:rw");
    expect(dockhand?.ports?.map((p) => [p.published, p.target])).toEqual(
      expect.arrayContaining([
        [80, 80],
        [443, 443],
      ]),
    );
  });

  it("refuses to run without DOCKHAND_REPO, saying what to set", async () => {
    const result = await compose({ DOCKHAND_WEBHOOK_SECRET: "s" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("set DOCKHAND_REPO to the deploy repo's git URL");
  });
});
