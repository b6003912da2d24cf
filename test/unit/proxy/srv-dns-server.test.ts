import { describe, expect, it } from "vitest";
import { srvTargetName } from "../../../src/proxy/srv-dns-server.js";

describe("srvTargetName", () => {
  const cases: Array<[string, string]> = [
    ["127.0.0.1", "127-0-0-1.ip4.dockhand."],
    ["10.0.0.12", "10-0-0-12.ip4.dockhand."],
    ["::1", "0-0-0-0-0-0-0-1.ip6.dockhand."],
    ["fd00::a:1", "fd00-0-0-0-0-0-a-1.ip6.dockhand."],
    ["2001:db8:0:0:1:0:0:1", "2001-db8-0-0-1-0-0-1.ip6.dockhand."],
    ["beta.internal", "beta.internal."],
    ["beta.internal.", "beta.internal."],
  ];
  it.each(cases)("%s ─▶ %s", (address, name) => {
    expect(srvTargetName(address)).toBe(name);
  });
});
