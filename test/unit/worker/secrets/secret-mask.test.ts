/**
 * The secret mask: every value of 6 characters or more, and its URL and
 * base64 encodings, becomes `[secret NAME]` in text, in copies of outcomes,
 * in log lines and in thrown errors; shorter values and other text stay.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { DockhandError, RolloutError } from "../../../../src/model/index.js";
import { MIN_MASKED_LENGTH, SecretMask } from "../../../../src/worker/secrets/secret-mask.js";

const TOKEN = "s3cr3t-value-123";
const b64 = (text: string) => Buffer.from(text).toString("base64");

function maskOf(...apps: Record<string, string>[]): SecretMask {
  return new SecretMask(new Map(apps.map((values, i) => [`production/app${i}`, values])));
}

describe("SecretMask.text", () => {
  const cases: Array<{ name: string; secrets: Record<string, string>[]; text: string; masked: string }> = [
    {
      name: "a value, wherever it appears",
      secrets: [{ API_TOKEN: TOKEN }],
      text: `token=${TOKEN}\n${TOKEN}${TOKEN}!`,
      masked: "token=[secret API_TOKEN]\n[secret API_TOKEN]!",
    },
    {
      name: "values shorter than 6 characters are left alone",
      secrets: [{ PIN: "12345", FLAG: "true" }],
      text: "pin 12345, flag true, 123456",
      masked: "pin 12345, flag true, 123456",
    },
    {
      name: "a value of exactly 6 characters is masked",
      secrets: [{ PIN: "123456" }],
      text: "pin 123456, not 12345",
      masked: "pin [secret PIN], not 12345",
    },
    {
      name: "regex-special characters match only themselves",
      secrets: [{ ODD: "a.b*c+(d)?[e]$^|\\" }],
      text: "aXbbbc+(d)?[e]$^|\\ and a.b*c+(d)?[e]$^|\\",
      masked: "aXbbbc+(d)?[e]$^|\\ and [secret ODD]",
    },
    {
      name: "overlapping values of two apps become one mark naming both",
      secrets: [{ FIRST: "abcdef123" }, { SECOND: "123456xyz" }],
      text: "<abcdef123456xyz>",
      masked: "<[secrets FIRST, SECOND]>",
    },
    {
      name: "a value inside a longer one is named only where it stands alone",
      secrets: [{ LONG: "outer-secret-value" }, { SHORT: "secret-value" }],
      text: "outer-secret-value, secret-value",
      masked: "[secret LONG], [secret SHORT]",
    },
    {
      name: "one value under two names is masked once, by the first name",
      secrets: [{ A_TOKEN: TOKEN }, { B_TOKEN: TOKEN }],
      text: TOKEN,
      masked: "[secret A_TOKEN]",
    },
    {
      name: "its base64, with padding",
      secrets: [{ API_TOKEN: TOKEN }],
      text: `encoded ${b64(TOKEN)} end`,
      masked: "encoded [secret API_TOKEN] end",
    },
    {
      name: "its base64url",
      secrets: [{ KEY: "??>>??>>" }],
      text: `url-safe ${Buffer.from("??>>??>>").toString("base64url")}`,
      masked: "url-safe [secret KEY]",
    },
    {
      name: "its URL encoding",
      secrets: [{ PASSWORD: "p@ss w/rd+123" }],
      text: "https://u:p%40ss%20w%2Frd%2B123@db/x",
      masked: "https://u:[secret PASSWORD]@db/x",
    },
    {
      name: "other text of many lines stays as it was",
      secrets: [{ API_TOKEN: TOKEN }],
      text: "line one\nline two: s3cr3t-value-12\n",
      masked: "line one\nline two: s3cr3t-value-12\n",
    },
  ];
  it.each(cases)("$name", ({ secrets, text, masked }) => {
    expect(maskOf(...secrets).text(text)).toBe(masked);
  });

  it.each(["", "x", "xy", "xyz"])("masks the value inside a longer base64 text (prefix %j)", (prefix) => {
    const encoded = b64(`${prefix}API_TOKEN=${TOKEN}\n`);
    const masked = maskOf({ API_TOKEN: TOKEN }).text(encoded);
    expect(masked).toContain("[secret API_TOKEN]");
    // What stays visible: the prefix's characters, one shared at each edge, and the tail with its padding.
    const visible = masked.replace("[secret API_TOKEN]", "");
    expect(visible.length).toBeLessThanOrEqual(Math.ceil(((prefix.length + 10) * 8) / 6) + 5);
    expect(visible).not.toContain(b64(TOKEN).slice(4, 8));
  });

  it("knows nothing to mask without values, or with short ones only", () => {
    expect(new SecretMask(undefined).empty).toBe(true);
    expect(maskOf({ PIN: "x".repeat(MIN_MASKED_LENGTH - 1) }).empty).toBe(true);
    expect(maskOf({ PIN: "x".repeat(MIN_MASKED_LENGTH) }).empty).toBe(false);
  });
});

describe("SecretMask.value", () => {
  it("copies an outcome with every string masked and leaves the original alone", () => {
    const outcome = {
      sha: "abc",
      status: "failed",
      apps: [
        {
          app: "web",
          durationMs: 12,
          error: { code: "DOCKHAND_E_HEALTH", message: `died: ${TOKEN}`, logsTail: `${TOKEN}\n${b64(TOKEN)}\n` },
        },
      ],
    };
    const before = structuredClone(outcome);
    const masked = maskOf({ API_TOKEN: TOKEN }).value(outcome);
    expect(masked).toEqual({
      sha: "abc",
      status: "failed",
      apps: [
        {
          app: "web",
          durationMs: 12,
          error: {
            code: "DOCKHAND_E_HEALTH",
            message: "died: [secret API_TOKEN]",
            logsTail: "[secret API_TOKEN]\n[secret API_TOKEN]\n",
          },
        },
      ],
    });
    expect(outcome).toEqual(before);
  });

  it("keeps an error's class and fields, and survives a cycle", () => {
    const err = new RolloutError("DOCKHAND_E_HOOK", `hook said ${TOKEN}`, {
      app: "web",
      step: "hook",
      logsTail: TOKEN,
    });
    const fields: Record<string, unknown> = { err, when: new Date(0) };
    fields.self = fields;
    const masked = maskOf({ API_TOKEN: TOKEN }).value(fields) as { err: RolloutError; when: Date; self: unknown };
    expect(masked.err).toBeInstanceOf(RolloutError);
    expect(masked.err.message).toBe("hook said [secret API_TOKEN]");
    expect(masked.err.logsTail).toBe("[secret API_TOKEN]");
    expect(masked.err.stack).not.toContain(TOKEN);
    expect(masked.err.code).toBe("DOCKHAND_E_HOOK");
    expect(masked.when).toBe(fields.when);
    expect(masked.self).toBe(masked);
    expect(err.message).toContain(TOKEN);
  });

  it("hands back the very value when there is nothing to mask", () => {
    const outcome = { message: TOKEN };
    expect(new SecretMask(new Map()).value(outcome)).toBe(outcome);
  });
});

describe("SecretMask.thrown", () => {
  it("masks message, stack and string fields in place, keeping class and code", () => {
    const err = new DockhandError("DOCKHAND_E_DOCKER", `last output:\n${TOKEN}`);
    maskOf({ API_TOKEN: TOKEN }).thrown(err);
    expect(err).toBeInstanceOf(DockhandError);
    expect(err.code).toBe("DOCKHAND_E_DOCKER");
    expect(err.message).toBe("last output:\n[secret API_TOKEN]");
    expect(err.stack).toContain("last output:\n[secret API_TOKEN]");
    expect(err.stack).not.toContain(TOKEN);
  });
});

describe("SecretMask.logger", () => {
  function capture(): { log: pino.Logger; lines: string[] } {
    const lines: string[] = [];
    return { log: pino({ level: "debug" }, { write: (line: string) => lines.push(line) }), lines };
  }

  it("masks fields, nested fields, errors and the message, in children too", () => {
    const { log, lines } = capture();
    const masked = maskOf({ API_TOKEN: TOKEN }).logger(log.child({ sync: "s1" }));
    masked.info({ output: TOKEN, nested: { list: [b64(TOKEN)] }, err: new Error(`boom ${TOKEN}`) }, `said ${TOKEN}`);
    masked.child({ app: "web" }).warn({ output: `x ${TOKEN}` }, "hook");
    masked.error(`%s and ${TOKEN}`, TOKEN);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(TOKEN);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({
      sync: "s1",
      output: "[secret API_TOKEN]",
      nested: { list: ["[secret API_TOKEN]"] },
      err: { type: "Error", message: "boom [secret API_TOKEN]" },
      msg: "said [secret API_TOKEN]",
    });
    expect(JSON.parse(lines[1] as string)).toMatchObject({ app: "web", output: "x [secret API_TOKEN]" });
    expect(JSON.parse(lines[2] as string).msg).toBe("[secret API_TOKEN] and [secret API_TOKEN]");
  });

  it("is the logger itself when there is nothing to mask", () => {
    const { log } = capture();
    expect(new SecretMask(undefined).logger(log)).toBe(log);
  });
});
