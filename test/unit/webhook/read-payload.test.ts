import { describe, expect, it } from "vitest";
import { decodeBody, readPayload } from "../../../src/webhook/read-payload.js";

describe("readPayload", () => {
  const json = '{"zen":"Keep it logically awesome.","n":1}';
  it.each<[string, string, string, ReturnType<typeof readPayload>]>([
    ["JSON", json, "application/json", { ok: true, payload: { zen: "Keep it logically awesome.", n: 1 } }],
    [
      "JSON with a charset",
      json,
      "application/json; charset=utf-8",
      { ok: true, payload: { zen: "Keep it logically awesome.", n: 1 } },
    ],
    [
      "a form with the JSON in payload=",
      `payload=${encodeURIComponent(json)}`,
      "application/x-www-form-urlencoded",
      { ok: true, payload: { zen: "Keep it logically awesome.", n: 1 } },
    ],
    [
      "a form without payload=",
      "other=1",
      "application/x-www-form-urlencoded",
      { ok: false, reason: "form body has no payload field" },
    ],
    ["JSON that is an array", "[1]", "application/json", { ok: false, reason: "body is JSON but not an object" }],
    ["JSON that is null", "null", "application/json", { ok: false, reason: "body is JSON but not an object" }],
  ])("%s", (_name, text, contentType, expected) => {
    expect(readPayload(text, contentType)).toEqual(expected);
  });

  it.each([
    ["plain text", "Hello, World!"],
    ["a BOM before JSON", "\uFEFF{}"],
    ["cut-off JSON", '{"a":'],
  ])("rejects %s as not JSON", (_name, text) => {
    expect(readPayload(text, "application/json")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^body is not JSON: /),
    });
  });
});

describe("decodeBody", () => {
  it.each<[string, Buffer, string | undefined]>([
    ["ASCII", Buffer.from("{}"), "{}"],
    ["UTF-8", Buffer.from('{"name":"café ✓"}'), '{"name":"café ✓"}'],
    ["a BOM is kept (the signature covers it)", Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), "\uFEFF{}"],
    ["invalid UTF-8", Buffer.from([0x7b, 0xff, 0x7d]), undefined],
    ["a lone surrogate's bytes", Buffer.from([0xed, 0xa0, 0x80]), undefined],
  ])("%s", (_name, raw, expected) => {
    expect(decodeBody(raw)).toBe(expected);
  });
});
