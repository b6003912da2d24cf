import { describe, expect, it } from "vitest";
import { parse, problemsOrNone } from "./deploy-repo-fixture.js";

const ALPHA = "hosts:\n  alpha:\n    docker: local\n    address: 127.0.0.1\n";

function dockhandWith(extra: string): Record<string, string> {
  return { "dockhand.yaml": `${ALPHA}${extra}` };
}

describe("proxy.tls (issue 5: HTTPS for the app hostnames)", () => {
  it("takes an ACME server for the caddy driver, HTTPS on 0.0.0.0:443 unless told", () => {
    const files = dockhandWith(
      "proxy:\n  driver: caddy\n  tls:\n    acme: { ca: https://127.0.0.1:14000/dir, email: ops@example.com, trustedRoots: [/etc/pebble-ca.pem] }\n",
    );
    expect(parse(files).proxy).toEqual({
      driver: "caddy",
      listen: "0.0.0.0:8080",
      tls: {
        listen: "0.0.0.0:443",
        redirect: false,
        acme: { ca: "https://127.0.0.1:14000/dir", email: "ops@example.com", trustedRoots: ["/etc/pebble-ca.pem"] },
      },
    });
  });

  it("takes certificate files for the built-in proxy, with a redirect when asked", () => {
    const files = dockhandWith(
      "proxy:\n  tls:\n    listen: 127.0.0.1:8443\n    redirect: true\n    certificates:\n      - { cert: /etc/dockhand/wild.pem, key: /etc/dockhand/wild.key }\n",
    );
    expect(parse(files).proxy).toEqual({
      driver: "builtin",
      listen: "0.0.0.0:8080",
      tls: {
        listen: "127.0.0.1:8443",
        redirect: true,
        certificates: [{ cert: "/etc/dockhand/wild.pem", key: "/etc/dockhand/wild.key" }],
      },
    });
  });

  const CERTS = "certificates: [{ cert: /c.pem, key: /c.key }]";
  const cases: Array<[string, string, string[]]> = [
    [
      "acme with another driver",
      "proxy:\n  driver: nginx\n  tls: { acme: { ca: https://acme.example/dir } }\n",
      [
        'dockhand.yaml:7:10 proxy.tls.acme: tls.acme (automatic HTTPS) needs driver: caddy; this proxy has driver: "nginx"',
      ],
    ],
    [
      "certificates with another driver",
      `proxy:\n  driver: caddy\n  tls: { ${CERTS} }\n`,
      [
        'dockhand.yaml:7:10 proxy.tls.certificates: tls.certificates needs driver: builtin; this proxy has driver: "caddy"',
      ],
    ],
    [
      "a redirect with another driver",
      "proxy:\n  driver: caddy\n  tls: { redirect: true, acme: { ca: https://acme.example/dir } }\n",
      ['dockhand.yaml:7:10 proxy.tls.redirect: tls.redirect needs driver: builtin; this proxy has driver: "caddy"'],
    ],
    [
      "both sources",
      `proxy:\n  tls: { ${CERTS}, acme: { ca: https://acme.example/dir } }\n`,
      [
        "dockhand.yaml:6:57 proxy.tls.acme: give either certificates (driver: builtin) or acme (driver: caddy), not both",
      ],
    ],
    [
      "neither source",
      "proxy:\n  tls: { redirect: true }\n",
      [
        "dockhand.yaml:6:3 proxy.tls: HTTPS needs certificates (files, driver: builtin) or acme (an ACME server, driver: caddy)",
      ],
    ],
    [
      "a certificate without its key",
      "proxy:\n  tls: { certificates: [{ cert: /c.pem }] }\n",
      ['dockhand.yaml:6:25 proxy.tls.certificates.0: missing required key "key"'],
    ],
    [
      "an empty list of certificates",
      "proxy:\n  tls: { certificates: [] }\n",
      ["dockhand.yaml:6:24 proxy.tls.certificates: expected at least one { cert, key }, got an empty list"],
    ],
    [
      "an ACME server without its directory URL",
      "proxy:\n  driver: caddy\n  tls: { acme: { email: ops@example.com } }\n",
      ['dockhand.yaml:7:16 proxy.tls.acme: missing required key "ca"'],
    ],
    [
      "an unknown key",
      "proxy:\n  driver: caddy\n  tls: { acme: { ca: https://acme.example/dir, mail: a@b.c } }\n",
      [
        'dockhand.yaml:7:48 proxy.tls.acme.mail: unknown key; did you mean "email"? Allowed here: ca, email, trustedRoots',
      ],
    ],
  ];
  it.each(cases)("refuses %s", (_name, extra, expected) => {
    expect(problemsOrNone(dockhandWith(extra))).toEqual(expected);
  });
});
