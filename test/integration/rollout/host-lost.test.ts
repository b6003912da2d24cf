/**
 * A host that becomes unreachable mid-rollout (issue 4): that app's rollout
 * fails cleanly (no hang, the error names the host), the other apps are
 * unaffected, and nothing is routed to the lost host's containers any more.
 *
 * Host "gamma" is the beta engine seen through a unix-socket relay this test
 * owns: cutting the relay loses the host without touching the shared bed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testbed } from "../../support/testbed.js";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

let bed: RolloutBed;
let relayDir: string;
let relay: { server: Server; sockets: Set<Socket> } | undefined;

function startRelay(path: string, target: string): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, sockets })));
}

function cutRelay(): void {
  if (!relay) return;
  relay.server.close();
  for (const s of relay.sockets) s.destroy();
  relay = undefined;
}

const gammaSocket = () => join(relayDir, "gamma.sock");

beforeAll(async () => {
  relayDir = mkdtempSync(join(tmpdir(), "dockhand-relay-"));
  relay = await startRelay(gammaSocket(), testbed().betaSocket.replace(/^unix:\/\//, ""));
  const hosts = [
    "hosts:",
    `  alpha: { docker: "${testbed().alpha}", address: 127.0.0.1 }`,
    `  gamma: { docker: "unix://${gammaSocket()}", address: 127.0.0.2 }`,
    "",
  ].join("\n");
  bed = await createRolloutBed({ hostsYaml: hosts });
  const common = { health: "{ path: /healthz, within: 20s, stable: 200ms }", rollout: "{ drain: 0s }" };
  bed.writeApp(
    "web",
    appYaml("web", bed.image, { ...common, replicas: "2", hostnames: "[web.lost.test]", env: "{ PAGE: v1 }" }),
  );
  bed.writeApp("api", appYaml("api", bed.image, { ...common, placement: "{ hosts: [alpha] }", env: "{ PAGE: api1 }" }));
  const first = await bed.sync();
  expect(first.status).toBe("succeeded");
});

afterAll(async () => {
  cutRelay();
  await bed?.close();
  rmSync(relayDir, { recursive: true, force: true });
});

describe("a host lost mid-rollout", () => {
  it("fails that app's rollout cleanly, leaves the others alone and routes nothing to the host", async () => {
    const webBefore = await bed.running("web");
    // The bed observes through the real engines: gamma's container shows up on beta.
    expect(webBefore.map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    const alphaOld = webBefore.find((c) => c.host === "alpha");

    bed.writeApp(
      "web",
      appYaml("web", bed.image, {
        health: "{ path: /healthz, within: 20s, stable: 200ms }",
        rollout: "{ drain: 0s }",
        replicas: "2",
        hostnames: "[web.lost.test]",
        env: "{ PAGE: v2 }",
      }),
    );
    bed.writeApp(
      "api",
      appYaml("api", bed.image, {
        health: "{ path: /healthz, within: 20s, stable: 200ms }",
        rollout: "{ drain: 0s }",
        placement: "{ hosts: [alpha] }",
        env: "{ PAGE: api2 }",
      }),
    );
    const outcome = await bed.sync(
      {},
      {
        // The host goes away just as web's slot on it is about to start.
        onStep: (e) => {
          if (e.phase === "start" && /^start \S+ on gamma$/.test(e.step)) cutRelay();
        },
      },
    );

    const web = outcome.apps.find((a) => a.app === "web");
    // Every old container it touched serves again; the deploy as a whole failed.
    expect(outcome.status).toBe("failed");
    expect(web?.status).toBe("rolledBack");
    expect(web?.failedStep).toBe("start");
    expect(web?.error?.code).toBe("DOCKHAND_E_HOST_UNREACHABLE");
    expect(web?.error?.message).toMatch(/^host gamma \(unix:\/\/\S+gamma\.sock\) is unreachable: /);
    expect(outcome.apps.find((a) => a.app === "api")?.status).toBe("succeeded");

    // web's alpha slot is back on its old container, and the route names only it.
    const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
    expect(route?.upstreams.map((u) => `${u.host} ${u.container} ${u.state}`)).toEqual([
      `alpha ${alphaOld?.name} active`,
    ]);
    const alphaNow = (await bed.running("web")).filter((c) => c.host === "alpha");
    expect(alphaNow.map((c) => c.id)).toEqual([alphaOld?.id]);
    const api = await bed.running("api");
    expect(api).toHaveLength(1);
  });
});
