/**
 * git against a remote that hangs (a TCP server that accepts and says
 * nothing) and one that is slow but moving, through the real git binary and
 * git daemon: clone, fetch and push give up within their silence limit with
 * the reason, leave the mirror usable, and do not hold up the status writes
 * queued behind them; a transfer that still moves is never cut.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GitRepo, StatusBranch } from "../../../src/git/index.js";
import { GitTimeoutError, gitText } from "../../../src/git/run-git.js";
import { DockhandError } from "../../../src/model/index.js";
import { createDeployRepo, type TestDeployRepo } from "../../support/deploy-repo.js";
import {
  type Behaviour,
  type Service,
  type StallingGitServer,
  startStallingGitServer,
} from "../../support/stalling-git-server.js";
import { git } from "./git-fixture.js";

/** Short, to keep the file fast, yet well above the silences of a served request on a busy machine. */
const SILENCE_MS = 1000;
const timeouts = { networkSilenceMs: SILENCE_MS };

const roots: string[] = [];
let server: StallingGitServer | undefined;
/** One deploy repo for the file; it holds a big file for the slow link. */
let deploy: TestDeployRepo;
beforeAll(() => {
  deploy = createDeployRepo((work) => {
    // Random bytes do not compress: 1 MiB that a slow link takes seconds for.
    writeFileSync(join(work, "blob.bin"), randomBytes(1024 * 1024));
  });
  roots.push(deploy.root);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-run-git-"));
  roots.push(dir);
  return dir;
}

async function serve(
  behaviour: (service: Service, count: number) => Behaviour,
  trickle?: { bytes: number; everyMs: number },
) {
  server = await startStallingGitServer({
    root: deploy.root,
    behaviour,
    ...(trickle ? { trickleBytes: trickle.bytes, trickleEveryMs: trickle.everyMs } : {}),
  });
  return `${server.url}deploy.git`;
}

/** The error a promise rejects with, and how long that took. */
async function failure(work: () => Promise<unknown>): Promise<{ error: DockhandError; ms: number }> {
  const started = Date.now();
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DockhandError)) throw new Error(`expected a DockhandError, got ${String(error)}`);
  return { error, ms: Date.now() - started };
}

describe("a remote that accepts and says nothing", () => {
  it("fails a clone within the silence limit, says why, stops git and leaves no half mirror", async () => {
    const url = await serve(() => "stall");
    const cache = cacheDir();
    const repo = new GitRepo({ url, cacheDir: cache, timeouts });
    const { error, ms } = await failure(() => repo.head());
    expect(error.code).toBe("DOCKHAND_E_GIT");
    expect(error.transient).toBe(true);
    expect(error.message).toBe(
      `could not fetch ${url}: git clone stalled: the remote sent nothing for 1 s, so dockhand stopped it`,
    );
    expect(ms).toBeGreaterThanOrEqual(SILENCE_MS);
    expect(ms).toBeLessThan(SILENCE_MS + 2000);
    await server?.stallClosed(1); // git and its connection are gone, not left hanging
    expect(readdirSync(cache)).toEqual([]);
  });

  it("fails a fetch of an existing mirror the same way, and the next fetch works", async () => {
    const url = await serve((_service, count) => (count === 2 ? "stall" : "serve"));
    const repo = new GitRepo({ url, cacheDir: cacheDir(), timeouts });
    const first = await repo.head();
    const { error, ms } = await failure(() => repo.head());
    expect(error.message).toBe(
      `could not fetch ${url}: git fetch stalled: the remote sent nothing for 1 s, so dockhand stopped it`,
    );
    expect(ms).toBeLessThan(SILENCE_MS + 2000);
    await server?.stallClosed(1);
    // git got SIGTERM, so it removed its lock files: the mirror takes the next fetch.
    deploy.edit("dockhand.yaml", (text) => `${text}\n# after the stall\n`);
    const next = deploy.push("after the stall");
    expect(await repo.head()).toBe(next);
    expect(next).not.toBe(first);
  });
});

describe("a status write behind a hung push", () => {
  it("fails the hung write within the limit; the write queued behind it goes through", async () => {
    const url = await serve((service, count) => (service === "git-receive-pack" && count === 1 ? "stall" : "serve"));
    const branch = new StatusBranch({ url, cacheDir: cacheDir(), timeouts });
    const started = Date.now();
    const hung = failure(() => branch.write("dockhand-status", "production.json", () => "first\n", "first"));
    const queued = branch.write("dockhand-status", "production.json", () => "second\n", "second");
    const { error } = await hung;
    expect(error.message).toBe(
      `could not push dockhand-status of ${url}: git push stalled: the remote sent nothing for 1 s, so dockhand stopped it`,
    );
    expect(await queued).toBe("committed");
    expect(Date.now() - started).toBeLessThan(SILENCE_MS + 5000);
    expect(git(deploy.remote, "show", "dockhand-status:production.json")).toBe("second");
    expect(server?.log.map((c) => `${c.service} ${c.behaviour}`)).toEqual([
      "git-upload-pack serve",
      "git-receive-pack stall",
      "git-upload-pack serve",
      "git-receive-pack serve",
    ]);
  });
});

describe("a remote that is slow but moving", () => {
  it("is not cut: a clone that takes longer than the silence limit succeeds, as git prints its progress", async () => {
    // git shows progress once a second as long as data comes in; the data comes
    // in the remote's packets of up to 64 KiB, here one every 0.2 s.
    const limit = 2000;
    const url = await serve(() => "trickle", { bytes: 32 * 1024, everyMs: 100 }); // 320 KiB/s
    const repo = new GitRepo({ url, cacheDir: cacheDir(), timeouts: { networkSilenceMs: limit } });
    const started = Date.now();
    expect(await repo.head()).toBe(git(deploy.remote, "rev-parse", "main"));
    expect(Date.now() - started).toBeGreaterThan(1.5 * limit);
  });
});

describe("git never waits for a person, nor forever on the disk", () => {
  it("fails at once where a remote asks for a password, rather than prompting", async () => {
    const asking = createServer((_req, res) => {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end();
    });
    await new Promise<void>((resolve) => asking.listen(0, "127.0.0.1", resolve));
    const { port } = asking.address() as AddressInfo;
    try {
      const url = `http://127.0.0.1:${port}/deploy.git`;
      const { error } = await failure(() => new GitRepo({ url, cacheDir: cacheDir(), timeouts }).head());
      expect(error.message).toBe(
        `could not fetch ${url}: could not read Username for 'http://127.0.0.1:${port}': terminal prompts disabled`,
      );
    } finally {
      await new Promise((resolve) => asking.close(resolve));
    }
  });

  it("stops a local command past localMs with the limit in the message, and what it started with it", async () => {
    // An alias that runs a shell: git waits for it, and the shell's sleep holds git's pipes open.
    const args = ["-c", "alias.linger=!sleep 30", "linger"];
    const started = Date.now();
    const error = await gitText(cacheDir(), args, { timeouts: { localMs: 300 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitTimeoutError);
    expect((error as Error).message).toBe(
      "git linger took longer than 0.3 s (the limit for local git commands), so dockhand stopped it",
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
