/**
 * The docker CLI of docker.io (/usr/bin/docker, the engines' own version, as
 * scripts/testbed/lib.sh uses it; a newer one may come first in PATH), for
 * what a user does with it: `docker build` (which reads .dockerignore) and
 * `docker run`. It fails with the command's output, where the reason is.
 */
import { execFile } from "node:child_process";

const DOCKER_CLI = "/usr/bin/docker";

/** Runs `docker <args>` against the engine at `host` (a DOCKER_HOST URL); resolves with stdout. */
export function dockerCli(host: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      DOCKER_CLI,
      args,
      { env: { ...process.env, DOCKER_HOST: host, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const output = `${stdout}${stderr}`.trim().split("\n").slice(-40).join("\n");
        reject(new Error(`docker ${args[0]} failed (${error.code}):\n${output}`));
      },
    );
  });
}
