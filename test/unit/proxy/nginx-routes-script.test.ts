import { describe, expect, it } from "vitest";
import { nginxRoutesScript } from "../../../src/proxy/nginx-routes-script.js";

/** The regular expression the emitted njs module splits $upstream_addr with. */
function upstreamAddrSplitter(): RegExp {
  const source = /\.split\(\/(.+)\/\);/.exec(nginxRoutesScript("/run/upstreams.json"))?.[1];
  if (source === undefined) throw new Error("no split(/.../) in the njs module");
  return new RegExp(source);
}

describe("nginxRoutesScript", () => {
  it.each([
    ["127.0.0.1:8001", ["127.0.0.1:8001"]],
    ["127.0.0.1:8001, 127.0.0.1:8002", ["127.0.0.1:8001", "127.0.0.1:8002"]],
    ["127.0.0.1:8001 : 127.0.0.1:8002", ["127.0.0.1:8001", "127.0.0.1:8002"]],
  ])("splits $upstream_addr %j into the upstreams tried", (addr, tried) => {
    expect(addr.split(upstreamAddrSplitter())).toEqual(tried);
  });
});
