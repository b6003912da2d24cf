/**
 * Docker's credential helper protocol (`credsStore`, `credHelpers` in a
 * config.json): `docker-credential-<name> get` reads a server address on
 * stdin and prints {"ServerURL","Username","Secret"}. Run with the PATH of the
 * environment DockerHosts was given, as the docker CLI would run it.
 */
import { spawn } from "node:child_process";
import { DockhandError } from "../model/index.js";

export interface HelperCredentials {
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** What helpers print when they hold nothing for the address; the docker CLI then goes anonymous too. */
const NOT_FOUND = /credentials not found/i;

interface HelperRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(program: string, server: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ["get"], { env, stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    // A helper that exits before reading stdin must not crash us with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(server);
  });
}

function parse(stdout: string): HelperCredentials | undefined {
  try {
    const out = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
    if (typeof out.Secret !== "string" || typeof out.Username !== "string") return undefined;
    // "<token>" is the protocol's marker for an identity token (an OAuth refresh token).
    if (out.Username === "<token>") return { identitytoken: out.Secret };
    return { username: out.Username, password: out.Secret };
  } catch {
    return undefined;
  }
}

/**
 * The helper's credentials for `server`, or undefined when it has none. A
 * helper that is missing, fails or prints something else throws, naming the
 * helper and the file that named it.
 */
export async function runCredentialHelper(
  helper: string,
  server: string,
  env: NodeJS.ProcessEnv,
  source: string,
  timeoutMs = 10_000,
): Promise<HelperCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const fail = (why: string, cause?: unknown) =>
    new DockhandError(
      "DOCKHAND_E_REGISTRY",
      `credential helper ${program} (named in ${source}) failed for ${server}: ${why}`,
      { cause },
    );
  let result: HelperRun;
  try {
    result = await run(program, server, env, timeoutMs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw fail("it is not installed (not found in PATH)", err);
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  const said = (result.stdout.trim() || result.stderr.trim()).split("\n")[0] ?? "";
  if (result.code !== 0) {
    if (NOT_FOUND.test(said)) return undefined;
    throw fail(result.code === null ? `no answer within ${timeoutMs} ms` : `exit code ${result.code}: ${said}`);
  }
  const credentials = parse(result.stdout);
  if (!credentials) throw fail('it did not print {"Username": ..., "Secret": ...}');
  return credentials;
}
