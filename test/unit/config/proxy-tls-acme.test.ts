import { describe, expect, it } from "vitest";
import { parse, problemsOrNone } from "./deploy-repo-fixture.js";

const ALPHA = "hosts:\n  alpha:\n    docker: local\n    address: 127.0.0.1\n";

function dockhandWith(extra: string): Record<string, string> {
  return { "dockhand.yaml": `${ALPHA}${extra}` };
}

describe("proxy.tls.acme (issue 5: Caddy's automatic HTTPS)", () => {
  it("takes an ACME server for the caddy driver, HTTPS on 0.0.0.0:443 unless told", () => {
    const files = dockhandWith(
      "proxy:\n  driver: caddy\n  tls:\n    acme: { ca: https://127.0.0.1:14000/dir, email: ops@example.com, trustedRoots: [/etc/pebble-ca.pem] }\n",
    );
    expect(parse(files).proxy).toEqual({
      driver: "caddy",
      listen: "0.0.0.0:8080",
      tls: {
        acme: {
          ca: "https://127.0.0.1:14000/dir",
          email: "ops@example.com",
          trustedRoots: ["/etc/pebble-ca.pem"],
          listen: "0.0.0.0:443",
        },
      },
    });
  });

  const cases: Array<[string, string, string[]]> = [
    [
      "with another driver",
      "proxy:\n  driver: nginx\n  tls: { acme: { ca: https://acme.example/dir } }\n",
      ['dockhand.yaml:7:3 proxy.tls: tls.acme (automatic HTTPS) needs driver: caddy; this proxy has driver: "nginx"'],
    ],
    [
      "without a directory URL",
      "proxy:\n  driver: caddy\n  tls: { acme: { email: ops@example.com } }\n",
      ['dockhand.yaml:7:16 proxy.tls.acme: missing required key "ca"'],
    ],
    [
      "with an unknown key",
      "proxy:\n  driver: caddy\n  tls: { acme: { ca: https://acme.example/dir, mail: a@b.c } }\n",
      [
        'dockhand.yaml:7:48 proxy.tls.acme.mail: unknown key; did you mean "email"? Allowed here: ca, email, trustedRoots, listen',
      ],
    ],
  ];
  it.each(cases)("is refused %s", (_, extra, expected) => {
    expect(problemsOrNone(dockhandWith(extra))).toEqual(expected);
  });
});
