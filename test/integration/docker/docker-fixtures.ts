/**
 * Shared setup of the Docker adapter's integration tests: a unique run id,
 * build contexts made with tar-stream, test images built once per file, and
 * a cleanup that removes everything labelled with the run id on both engines.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import Docker from "dockerode";
import { pack } from "tar-stream";
import type { DockerHosts } from "../../../src/docker/index.js";
import type { ContainerSpec } from "../../../src/model/index.js";
import { containerLabels, DockhandError } from "../../../src/model/index.js";
import { testbed } from "../../support/testbed.js";

/** Every container and image a test creates carries this label, so cleanup finds it. */
export const RUN_LABEL = "dockhand-test.run";

export const APP_PORT = 8080;

/**
 * The app under test. MODE steers it: `serve` (default), `slow` (listen after
 * DELAY seconds), `exit` (fail with code 3, after DELAY seconds), `crash` (serve,
 * then exit with code 4 after DELAY seconds). It writes to both stdout
 * and stderr so log demultiplexing is exercised.
 */
const ENTRYPOINT = `#!/bin/sh
echo "starting in mode \${MODE:-serve}"
case "\${MODE:-serve}" in
  exit) sleep "\${DELAY:-0}"; echo "fatal: cannot start" >&2; exit 3 ;;
  slow) sleep "\${DELAY:-1}" ;;
  crash) httpd -f -p ${APP_PORT} -h /www & sleep "\${DELAY:-1}"; echo "crashed" >&2; exit 4 ;;
esac
# The engine reads stdout and stderr separately; a pause keeps their order in the log certain.
sleep 0.1
echo "listening on ${APP_PORT}" >&2
exec httpd -f -p ${APP_PORT} -h /www
`;

export function newRunId(): string {
  return `test-${randomBytes(4).toString("hex")}`;
}

/** A build context as a tar stream, the way src/git hands one over. */
export function contextTar(files: Record<string, string>, modes: Record<string, number> = {}): Readable {
  const tar = pack();
  for (const [name, content] of Object.entries(files)) {
    tar.entry({ name, mode: modes[name] ?? 0o644 }, content);
  }
  tar.finalize();
  // tar-stream's pack is a streamx stream; the port takes a Node Readable (what `git archive` gives).
  return Readable.from(tar);
}

export function appContext(runId: string): Readable {
  const dockerfile = [
    "FROM busybox:stable",
    "COPY www /www",
    "COPY entrypoint.sh /entrypoint.sh",
    `LABEL ${RUN_LABEL}=${runId}`,
    `EXPOSE ${APP_PORT}`,
    'CMD ["/entrypoint.sh"]',
    "",
  ].join("\n");
  return contextTar(
    {
      Dockerfile: dockerfile,
      "www/index.html": "<h1>hello from dockhand tests</h1>\n",
      "www/healthz": "ok\n",
      "entrypoint.sh": ENTRYPOINT,
    },
    { "entrypoint.sh": 0o755 },
  );
}

/** The app plus a HEALTHCHECK; HEALTH=fail in the environment makes it fail. */
export function healthcheckContext(runId: string, baseImage: string): Readable {
  const check = `test "$HEALTH" != fail && wget -q -O /dev/null http://127.0.0.1:${APP_PORT}/healthz`;
  const dockerfile = [
    `FROM ${baseImage}`,
    `LABEL ${RUN_LABEL}=${runId}`,
    `HEALTHCHECK --interval=200ms --timeout=2s --retries=2 CMD ${check}`,
    "",
  ].join("\n");
  return contextTar({ Dockerfile: dockerfile });
}

/** A managed container spec for `instance`, named uniquely. */
export function appSpec(
  runId: string,
  image: string,
  options: { instance?: string; app?: string; slot?: number; environment?: Record<string, string> } = {},
): ContainerSpec {
  const app = options.app ?? "web";
  const slot = options.slot ?? 0;
  const suffix = randomBytes(3).toString("hex");
  const identity = {
    instance: options.instance ?? runId,
    app,
    env: "production",
    slot,
    specHash: `spec${suffix}`,
    commit: "c0ffee",
  };
  return {
    name: `${runId}-${app}-${slot}-${suffix}`,
    image,
    port: APP_PORT,
    environment: options.environment ?? {},
    labels: { ...containerLabels(identity), [RUN_LABEL]: runId },
  };
}

/** Direct clients of the test bed engines, for setup and cleanup the port does not offer. */
export function rawEngines(): Record<"alpha" | "beta", Docker> {
  const bed = testbed();
  const socket = (endpoint: string) => endpoint.replace(/^unix:\/\//, "");
  return {
    alpha: new Docker({ socketPath: socket(bed.alpha) }),
    beta: new Docker({ socketPath: socket(bed.betaSocket) }),
  };
}

/** Remove every container and image of this run on both engines. */
export async function cleanupRun(runId: string): Promise<void> {
  for (const docker of Object.values(rawEngines())) {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    const images = await docker.listImages({ filters: { label: [`${RUN_LABEL}=${runId}`] } });
    // Children first: an image another one is built FROM cannot go before it.
    for (const image of images.sort((a, b) => b.Created - a.Created)) {
      const tags = (image.RepoTags ?? []).filter((tag) => !tag.includes("<none>"));
      for (const tag of tags) {
        if (tag.includes(runId)) await docker.getImage(tag).remove({ force: true });
      }
      // A failed build leaves its last good step behind, untagged but labelled.
      if (tags.length === 0) await docker.getImage(image.Id).remove({ force: true });
    }
  }
}

/** Build the app image on alpha and ship it to beta; returns its tag. */
export async function prepareAppImage(hosts: DockerHosts, runId: string): Promise<string> {
  const image = `dockhand-test/app:${runId}`;
  await hosts.build("alpha", image, appContext(runId), "Dockerfile", () => undefined);
  await hosts.ship(image, "alpha", "beta");
  return image;
}

/** Collects log lines, for asserting on what a build or the adapter said. */
export function lineCollector(): { lines: string[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line) };
}

/** The DockhandError `promise` rejects with; anything else fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<DockhandError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DockhandError)) throw new Error(`expected a DockhandError, got ${String(err)}`);
  return err;
}
