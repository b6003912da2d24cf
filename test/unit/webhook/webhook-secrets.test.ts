import { describe, expect, it } from "vitest";
import { type RepositorySecrets, WebhookSecrets } from "../../../src/webhook/webhook-secrets.js";

const secrets = new WebhookSecrets(["d1", "d2"], { "acme/app": ["a1"], "Acme/App": ["a2"], "acme/api": ["p1"] });

describe("WebhookSecrets", () => {
  it.each<[string | undefined, string[], string]>([
    ["acme/deploy", ["d1", "d2"], "the default secret (DOCKHAND_WEBHOOK_SECRET)"],
    ["acme/app", ["a1", "a2"], "acme/app's own secret (DOCKHAND_WEBHOOK_SECRETS)"],
    ["ACME/APP", ["a1", "a2"], "ACME/APP's own secret (DOCKHAND_WEBHOOK_SECRETS)"],
    ["acme/api", ["p1"], "acme/api's own secret (DOCKHAND_WEBHOOK_SECRETS)"],
    [undefined, ["d1", "d2"], "the default secret (DOCKHAND_WEBHOOK_SECRET)"],
  ])("a delivery about %s is signed with %j", (repository, expected, source) => {
    expect(secrets.for(repository)).toEqual({ secrets: expected, source });
  });

  it("checks a signature against every secret first", () => {
    expect([...secrets.all].sort()).toEqual(["a1", "a2", "d1", "d2", "p1"]);
  });

  it.each<[string[], RepositorySecrets, string]>([
    [[], {}, "webhookRoutes: secrets must hold at least one non-empty secret (DOCKHAND_WEBHOOK_SECRET)"],
    [
      ["d"],
      { "acme/app": [] },
      "webhookRoutes: acme/app must have at least one non-empty secret (DOCKHAND_WEBHOOK_SECRETS)",
    ],
    [["d"], { app: ["a"] }, 'webhookRoutes: repository secrets are keyed by "owner/name", got "app"'],
    [
      ["d"],
      { "acme/app": ["d"] },
      "webhookRoutes: acme/app has a secret that DOCKHAND_WEBHOOK_SECRET has too; give each repository a secret of its own, or none to use the default",
    ],
    [
      ["d"],
      { "acme/app": ["s"], "acme/api": ["s"] },
      "webhookRoutes: acme/api has a secret that acme/app has too; give each repository a secret of its own, or none to use the default",
    ],
  ])("refuses defaults %j with %j", (defaults, byRepository, message) => {
    expect(() => new WebhookSecrets(defaults, byRepository)).toThrow(message);
  });
});
