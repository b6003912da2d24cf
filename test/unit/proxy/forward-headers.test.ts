import { describe, expect, it } from "vitest";
import {
  downstreamResponseHeaders,
  type ForwardContext,
  isIdempotent,
  requestIdFrom,
  upstreamRequestHeaders,
} from "../../../src/proxy/forward-headers.js";

const ctx: ForwardContext = {
  remoteAddress: "10.0.0.9",
  proto: "http",
  host: "www.example.com:8080",
  requestId: "rid-1",
};
const own = ["X-Forwarded-Proto", "http", "X-Forwarded-Host", "www.example.com:8080", "X-Request-Id", "rid-1"];

describe("upstreamRequestHeaders", () => {
  const cases: Array<[string, string[], string[]]> = [
    [
      "keeps end-to-end headers with their case, order and repeats, and adds the forwarding headers",
      ["Host", "www.example.com:8080", "Accept", "*/*", "Cookie", "a=1", "Cookie", "b=2"],
      [
        "Host",
        "www.example.com:8080",
        "Accept",
        "*/*",
        "Cookie",
        "a=1",
        "Cookie",
        "b=2",
        "X-Forwarded-For",
        "10.0.0.9",
        ...own,
      ],
    ],
    [
      "drops hop-by-hop headers and those the Connection header names",
      [
        "Host",
        "h",
        "Connection",
        "keep-alive, X-Hop",
        "Keep-Alive",
        "timeout=5",
        "X-Hop",
        "1",
        "TE",
        "trailers",
        "Transfer-Encoding",
        "chunked",
        "Upgrade",
        "h2c",
        "Proxy-Connection",
        "x",
        "Expect",
        "100-continue",
        "Trailer",
        "x",
      ],
      ["Host", "h", "X-Forwarded-For", "10.0.0.9", ...own],
    ],
    [
      "appends the client's address to every X-Forwarded-For it sent",
      ["X-Forwarded-For", "1.1.1.1", "x-forwarded-for", "2.2.2.2, 3.3.3.3"],
      ["X-Forwarded-For", "1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9", ...own],
    ],
    [
      "replaces what a client claims as X-Forwarded-Proto, -Host and X-Request-Id",
      ["X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example", "X-Request-Id", "from-client"],
      ["X-Forwarded-For", "10.0.0.9", ...own],
    ],
  ];
  it.each(cases)("%s", (_name, raw, expected) => {
    expect(upstreamRequestHeaders(raw, ctx)).toEqual(expected);
  });

  it("keeps Upgrade and sets Connection: Upgrade for a WebSocket handshake", () => {
    const raw = ["Host", "h", "Connection", "keep-alive, Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", "k"];
    expect(upstreamRequestHeaders(raw, ctx, { upgrade: true })).toEqual([
      "Host",
      "h",
      "Upgrade",
      "websocket",
      "Sec-WebSocket-Key",
      "k",
      "Connection",
      "Upgrade",
      "X-Forwarded-For",
      "10.0.0.9",
      ...own,
    ]);
  });

  it("leaves X-Forwarded-For out when neither the client nor the socket gives an address", () => {
    expect(upstreamRequestHeaders(["Host", "h"], { ...ctx, remoteAddress: undefined })).toEqual(["Host", "h", ...own]);
  });
});

describe("downstreamResponseHeaders", () => {
  it("drops hop-by-hop headers, keeps the rest and adds the request id", () => {
    const out = downstreamResponseHeaders(
      {
        "content-type": "text/plain",
        "set-cookie": ["a=1", "b=2"],
        connection: "keep-alive, x-hop",
        "keep-alive": "timeout=5",
        "x-hop": "1",
        "transfer-encoding": "chunked",
      },
      "rid-1",
    );
    expect(out).toEqual({ "content-type": "text/plain", "set-cookie": ["a=1", "b=2"], "x-request-id": "rid-1" });
  });

  it("keeps the upstream's own X-Request-Id", () => {
    expect(downstreamResponseHeaders({ "x-request-id": "up" }, "rid-1")).toEqual({ "x-request-id": "up" });
  });
});

describe("requestIdFrom", () => {
  const make = () => "generated";
  const cases: Array<[string | string[] | undefined, string]> = [
    ["abc-123", "abc-123"],
    [["first", "second"], "first"],
    [undefined, "generated"],
    ["", "generated"],
    ["has space", "generated"],
    ["x".repeat(200), "x".repeat(200)],
    ["x".repeat(201), "generated"],
    ["caf\u00e9", "generated"],
  ];
  it.each(cases)("%j ─▶ %j", (raw, expected) => {
    expect(requestIdFrom(raw, make)).toBe(expected);
  });
});

describe("isIdempotent", () => {
  const cases: Array<[string | undefined, boolean]> = [
    ["GET", true],
    ["HEAD", true],
    ["OPTIONS", true],
    ["PUT", true],
    ["DELETE", true],
    ["POST", false],
    ["PATCH", false],
    ["get", false],
    [undefined, false],
  ];
  it.each(cases)("%j ─▶ %j", (method, expected) => {
    expect(isIdempotent(method)).toBe(expected);
  });
});
