import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectorySecrets } from "../../../../src/worker/secrets/directory-secrets.js";

const dir = mkdtempSync(join(tmpdir(), "dockhand-secrets-"));
const secrets = new DirectorySecrets({ dir, key: async () => Buffer.alloc(32) });

function put(path: string, value: string): void {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), `${value}\n`);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("secrets per environment (a real directory)", () => {
  it("reads <env>/<app>/<NAME>, then <app>/<NAME>, then <NAME>", async () => {
    put("staging/web/DATABASE_URL", "postgres://staging");
    put("web/DATABASE_URL", "postgres://web");
    put("DATABASE_URL", "postgres://shared");
    put("API_KEY", "shared-key");
    expect(await secrets.read("web", "DATABASE_URL", "staging")).toBe("postgres://staging");
    expect(await secrets.read("web", "DATABASE_URL", "production")).toBe("postgres://web");
    expect(await secrets.read("api", "DATABASE_URL", "staging")).toBe("postgres://shared");
    expect(await secrets.read("web", "API_KEY", "staging")).toBe("shared-key");
  });

  it("never reads outside the directory for an environment name that is not one path segment", async () => {
    put("web/TOKEN", "web-token");
    expect(await secrets.read("web", "TOKEN", "../..")).toBe("web-token");
    expect(secrets.where("web", "TOKEN", "../..")).toBe(`${join(dir, "web", "TOKEN")} or ${join(dir, "TOKEN")}`);
  });

  it("says every place it looked, the environment's first", () => {
    expect(secrets.where("web", "MISSING", "staging")).toBe(
      `${join(dir, "staging", "web", "MISSING")}, ${join(dir, "web", "MISSING")} or ${join(dir, "MISSING")}`,
    );
  });
});
