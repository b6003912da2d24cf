import { describe, expect, it } from "vitest";
import { verifySignature } from "../../../src/webhook/verify-signature.js";

// GitHub's own test vector: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
const SECRET = "It's a Secret to Everybody";
const PAYLOAD = "Hello, World!";
const SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

describe("verifySignature", () => {
  it.each<[string, string[], string, string, boolean]>([
    ["GitHub's test vector", [SECRET], PAYLOAD, SIGNATURE, true],
    ["rotation: the second secret matches", ["the new secret", SECRET], PAYLOAD, SIGNATURE, true],
    ["rotation: the first secret matches", [SECRET, "the old secret"], PAYLOAD, SIGNATURE, true],
    ["a wrong secret", ["not it"], PAYLOAD, SIGNATURE, false],
    ["a changed payload", [SECRET], "Hello, World?", SIGNATURE, false],
    ["the sha1 header's format", [SECRET], PAYLOAD, "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59", false],
    ["uppercase hex", [SECRET], PAYLOAD, SIGNATURE.toUpperCase().replace("SHA256", "sha256"), false],
    ["a truncated signature", [SECRET], PAYLOAD, SIGNATURE.slice(0, -2), false],
    ["no prefix", [SECRET], PAYLOAD, SIGNATURE.slice("sha256=".length), false],
    ["an empty signature", [SECRET], PAYLOAD, "", false],
    ["an empty body", [SECRET], "", SIGNATURE, false],
    ["an empty secret is never a match", ["", SECRET], PAYLOAD, SIGNATURE, true],
    ["no secrets", [], PAYLOAD, SIGNATURE, false],
  ])("%s", async (_name, secrets, payload, signature, expected) => {
    expect(await verifySignature(secrets, payload, signature)).toBe(expected);
  });
});
