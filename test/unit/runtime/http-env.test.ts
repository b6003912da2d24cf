import { describe, expect, it } from "vitest";
import { readHttpEnv } from "../../../src/runtime/http-env.js";

describe("readHttpEnv", () => {
  it("has defaults: 12 h sessions, Secure cookies, /metrics open", () => {
    expect(readHttpEnv({})).toEqual({ sessionTtlMs: 43_200_000, secureCookies: true });
  });

  it.each([
    [{ DOCKHAND_SESSION_TTL: "30m" }, { sessionTtlMs: 1_800_000, secureCookies: true }],
    [{ DOCKHAND_SESSION_TTL: " " }, { sessionTtlMs: 43_200_000, secureCookies: true }],
    [{ DOCKHAND_INSECURE_COOKIES: "1" }, { sessionTtlMs: 43_200_000, secureCookies: false }],
    [{ DOCKHAND_INSECURE_COOKIES: "true" }, { sessionTtlMs: 43_200_000, secureCookies: false }],
    [{ DOCKHAND_INSECURE_COOKIES: "0" }, { sessionTtlMs: 43_200_000, secureCookies: true }],
    [
      { DOCKHAND_METRICS_TOKEN: " m3trics " },
      { sessionTtlMs: 43_200_000, secureCookies: true, metricsToken: "m3trics" },
    ],
    [{ DOCKHAND_METRICS_TOKEN: "" }, { sessionTtlMs: 43_200_000, secureCookies: true }],
  ])("%j", (env, expected) => {
    expect(readHttpEnv(env)).toEqual(expected);
  });

  it.each([
    [
      { DOCKHAND_SESSION_TTL: "12" },
      'DOCKHAND_SESSION_TTL must be a duration like "12h" of at least 60000 ms, got "12"',
    ],
    [
      { DOCKHAND_SESSION_TTL: "10s" },
      'DOCKHAND_SESSION_TTL must be a duration like "12h" of at least 60000 ms, got "10s"',
    ],
    [{ DOCKHAND_SESSION_TTL: "0" }, 'DOCKHAND_SESSION_TTL must be a duration like "12h" of at least 60000 ms, got "0"'],
    [{ DOCKHAND_INSECURE_COOKIES: "yes" }, 'DOCKHAND_INSECURE_COOKIES must be 1 (on) or 0 (off), got "yes"'],
  ])("refuses %j", (env, message) => {
    expect(() => readHttpEnv(env)).toThrow(message);
  });
});
