import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGitHubSettings } from "../../../src/github/index.js";
import { testApp } from "../../support/fake-github/app-credentials.js";

const pem = testApp().privateKeyPem;
const keyFile = join(mkdtempSync(join(tmpdir(), "dockhand-key-")), "app.pem");
writeFileSync(keyFile, pem);
const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const FIX =
  "generate a new private key on the App's settings page (Private keys ─▶ Generate) and set GITHUB_APP_PRIVATE_KEY to the downloaded .pem file's contents or its path";

describe("readGitHubSettings", () => {
  it.each([
    ["nothing set: no reporting", {}, undefined],
    [
      "a token",
      { GITHUB_TOKEN: " ghp_x " },
      { apiUrl: "https://api.github.com", auth: { kind: "token", token: "ghp_x" } },
    ],
    [
      "GitHub Enterprise, trailing slash dropped",
      { GITHUB_TOKEN: "t", GITHUB_API_URL: "https://ghe.example.com/api/v3/" },
      { apiUrl: "https://ghe.example.com/api/v3", auth: { kind: "token", token: "t" } },
    ],
  ])("%s", (_name, env, expected) => {
    expect(readGitHubSettings(env)).toEqual(expected);
  });

  it.each([
    ["the key's text", pem],
    ["the key with newlines written as \\n (one-line env files)", pem.replace(/\n/g, "\\n")],
    ["the key file's path", keyFile],
  ])("takes an App with %s, and the App wins over a token", (_name, key) => {
    const settings = readGitHubSettings({ GITHUB_APP_ID: "4242", GITHUB_APP_PRIVATE_KEY: key, GITHUB_TOKEN: "t" });
    expect(settings?.auth).toMatchObject({ kind: "app", appId: 4242 });
    expect(settings?.auth.kind === "app" && settings.auth.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it.each([
    [
      "an App ID that is not a number",
      { GITHUB_APP_ID: "Iv1.abc", GITHUB_APP_PRIVATE_KEY: pem },
      `GITHUB_APP_ID must be the App's numeric ID (the "App ID" on its settings page), got "Iv1.abc"; the client ID (Iv1....) is not it`,
    ],
    [
      "a key without an ID",
      { GITHUB_APP_PRIVATE_KEY: pem },
      "GITHUB_APP_PRIVATE_KEY is set but GITHUB_APP_ID is not: set it to the App's numeric ID",
    ],
    [
      "an ID without a key",
      { GITHUB_APP_ID: "1" },
      "GITHUB_APP_ID is set but GITHUB_APP_PRIVATE_KEY is not: set it to the App's private key (the .pem file's contents or its path)",
    ],
    [
      "a key that is neither PEM nor a file",
      { GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: "/nowhere/app.pem" },
      `GITHUB_APP_PRIVATE_KEY is neither a PEM key (-----BEGIN ... PRIVATE KEY-----) nor a readable file (/nowhere/app.pem: ENOENT): ${FIX}`,
    ],
    [
      "only the key's first line",
      { GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----" },
      `GITHUB_APP_PRIVATE_KEY holds only the first line of the key (an env file cut it at the first newline); write newlines as \\n: ${FIX}`,
    ],
    [
      "a damaged key",
      { GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: pem.replace(/[A-Za-z]{8}\n/, "!!!!!!!!\n") },
      expect.stringMatching(
        /^GITHUB_APP_PRIVATE_KEY is not a valid PEM private key \(.+\): generate a new private key/,
      ),
    ],
    [
      "an EC key",
      { GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: ecKey },
      `GITHUB_APP_PRIVATE_KEY is not an RSA key (it is ec); GitHub App keys are RSA: ${FIX}`,
    ],
    [
      "an API URL that is not one",
      { GITHUB_TOKEN: "t", GITHUB_API_URL: "api.github.com" },
      'GITHUB_API_URL must be a URL like https://api.github.com (or https://github.example.com/api/v3 for GitHub Enterprise), got "api.github.com"',
    ],
  ])("says how to fix %s", (_name, env, message) => {
    expect(() => readGitHubSettings(env)).toThrow(expect.objectContaining({ code: "DOCKHAND_E_USAGE", message }));
  });
});
