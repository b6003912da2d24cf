import { describe, expect, it } from "vitest";
import { readRepositorySecrets } from "../../../src/runtime/repository-secrets.js";

describe("readRepositorySecrets (DOCKHAND_WEBHOOK_SECRETS)", () => {
  it.each<[string | undefined, Record<string, string[]>]>([
    [undefined, {}],
    ["", {}],
    [" , ", {}],
    ["acme/app=s3cret", { "acme/app": ["s3cret"] }],
    [" Acme/App = old , acme/app=new,acme/api=a=b, ", { "acme/app": ["old", "new"], "acme/api": ["a=b"] }],
    ["acme/app=x,,acme/api=y", { "acme/app": ["x"], "acme/api": ["y"] }],
  ])("%j ─▶ %j", (value, expected) => {
    expect(readRepositorySecrets(value)).toEqual(expected);
  });

  it.each([
    ["hunter2", "entry 1 has no '='"],
    ["acme/app=x,acme=hunter2", "entry 2 does not start with owner/name"],
    ["hunter2=acme/app", "entry 1 does not start with owner/name"],
    ["acme/app=", "entry 1 has no secret after '='"],
    ["acme/app=x,,hunter2", "entry 3 has no '='"],
  ])("%j is refused, naming the entry and not the secret", (value, seen) => {
    const run = () => readRepositorySecrets(value);
    expect(run).toThrow(
      `DOCKHAND_WEBHOOK_SECRETS ${seen}; write owner/name=secret, comma-separated (e.g. acme/app=s3cret,acme/api=0ther)`,
    );
    expect(run).not.toThrow("hunter2");
  });
});
