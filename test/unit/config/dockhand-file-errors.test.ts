import { describe, expect, it } from "vitest";
import { problems } from "./deploy-repo-fixture.js";

const ALPHA = "hosts:\n  alpha:\n    docker: local\n    address: 127.0.0.1\n";

/** dockhand.yaml: one valid host (lines 1-4) plus `extra` from line 5 on. */
function dockhandWith(extra: string): Record<string, string> {
  return { "dockhand.yaml": `${ALPHA}${extra}` };
}

/** dockhand.yaml with host alpha's settings (from line 3 on) replaced. */
function alpha(settings: string): Record<string, string> {
  return { "dockhand.yaml": `hosts:\n  alpha:\n${settings}` };
}

interface Case {
  name: string;
  files: Record<string, string | undefined>;
  expected: string[];
}

const HOST_KEYS = "docker, tls, socket, address, bindAddress, capacity, labels";

const hosts: Case[] = [
  {
    name: "no hosts key",
    files: { "dockhand.yaml": "proxy: { driver: nginx }\n" },
    expected: ['dockhand.yaml:1:1 missing required key "hosts"'],
  },
  {
    name: "an empty hosts map",
    files: { "dockhand.yaml": "hosts: {}\n" },
    expected: ["dockhand.yaml:1:8 hosts: define at least one host, e.g. alpha: { docker: local, address: 127.0.0.1 }"],
  },
  {
    name: "a host name with capitals, reported at the key",
    files: { "dockhand.yaml": "hosts:\n  Alpha: { docker: local, address: 127.0.0.1 }\n" },
    expected: [
      'dockhand.yaml:2:3 hosts.Alpha: expected a host name of lowercase letters, digits and "-", like "alpha", got "Alpha"',
    ],
  },
  {
    name: "a host without an address",
    files: alpha("    docker: local\n"),
    expected: ['dockhand.yaml:3:5 hosts.alpha: missing required key "address"'],
  },
  {
    name: "an unknown host key close to a known one",
    files: alpha("    docker: local\n    adress: 127.0.0.1\n"),
    expected: [
      'dockhand.yaml:3:5 hosts.alpha: missing required key "address"',
      `dockhand.yaml:4:5 hosts.alpha.adress: unknown key; did you mean "address"? Allowed here: ${HOST_KEYS}`,
    ],
  },
  {
    name: "a docker endpoint of an unknown kind",
    files: alpha("    docker: http://10.0.0.1:2375\n    address: 10.0.0.1\n"),
    expected: [
      'dockhand.yaml:3:13 hosts.alpha.docker: expected "local", "unix:///path/to/docker.sock", "tcp://host:port" or "ssh://user@host[:port]", got "http://10.0.0.1:2375"',
    ],
  },
  {
    name: "a tcp endpoint without a port",
    files: alpha("    docker: tcp://10.0.0.1\n    address: 10.0.0.1\n"),
    expected: [
      'dockhand.yaml:3:13 hosts.alpha.docker: expected "local", "unix:///path/to/docker.sock", "tcp://host:port" or "ssh://user@host[:port]", got "tcp://10.0.0.1"',
    ],
  },
  {
    name: "tls on a local engine",
    files: alpha("    docker: local\n    address: 127.0.0.1\n    tls: { ca: a, cert: b, key: c }\n"),
    expected: [
      'dockhand.yaml:5:5 hosts.alpha.tls: tls is only for docker: tcp://host:port; this host has docker: "local"',
    ],
  },
  {
    name: "an ssh endpoint without a user",
    files: alpha("    docker: ssh://10.0.0.9\n    address: 10.0.0.9\n"),
    expected: [
      'dockhand.yaml:3:13 hosts.alpha.docker: expected "local", "unix:///path/to/docker.sock", "tcp://host:port" or "ssh://user@host[:port]", got "ssh://10.0.0.9"',
    ],
  },
  {
    name: "an ssh endpoint with a password",
    files: alpha("    docker: ssh://deploy:hunter2@10.0.0.9\n    address: 10.0.0.9\n"),
    expected: [
      'dockhand.yaml:3:13 hosts.alpha.docker: expected "local", "unix:///path/to/docker.sock", "tcp://host:port" or "ssh://user@host[:port]", got "ssh://deploy:hunter2@10.0.0.9"',
    ],
  },
  {
    name: "an ssh endpoint with a port out of range",
    files: alpha("    docker: ssh://deploy@10.0.0.9:70000\n    address: 10.0.0.9\n"),
    expected: [
      'dockhand.yaml:3:13 hosts.alpha.docker: expected "local", "unix:///path/to/docker.sock", "tcp://host:port" or "ssh://user@host[:port]", got "ssh://deploy@10.0.0.9:70000"',
    ],
  },
  {
    name: "tls on an ssh host",
    files: alpha(
      "    docker: ssh://deploy@10.0.0.9:2222\n    address: 10.0.0.9\n    tls: { ca: a, cert: b, key: c }\n",
    ),
    expected: [
      'dockhand.yaml:5:5 hosts.alpha.tls: tls is only for docker: tcp://host:port; SSH secures this host (docker: "ssh://deploy@10.0.0.9:2222"): remove tls',
    ],
  },
  {
    name: "socket without ssh",
    files: alpha("    docker: tcp://10.0.0.9:2376\n    address: 10.0.0.9\n    socket: /var/run/docker.sock\n"),
    expected: [
      'dockhand.yaml:5:5 hosts.alpha.socket: socket is only for docker: ssh://user@host[:port] (the engine\'s socket on that machine); this host has docker: "tcp://10.0.0.9:2376"',
    ],
  },
  {
    name: "a relative socket path",
    files: alpha("    docker: ssh://deploy@10.0.0.9\n    address: 10.0.0.9\n    socket: docker.sock\n"),
    expected: [
      'dockhand.yaml:5:13 hosts.alpha.socket: expected an absolute path like /var/run/docker.sock, got "docker.sock"',
    ],
  },
  {
    name: "tls without its key",
    files: alpha("    docker: tcp://10.0.0.1:2376\n    address: 10.0.0.1\n    tls: { ca: a, cert: b }\n"),
    expected: ['dockhand.yaml:5:10 hosts.alpha.tls: missing required key "key"'],
  },
  {
    name: "an address that is neither an IP nor a host name",
    files: alpha("    docker: local\n    address: not an address\n"),
    expected: [
      'dockhand.yaml:4:14 hosts.alpha.address: expected an IP address or host name like "10.0.0.12", got "not an address"',
    ],
  },
  {
    name: "an address that is a host name, with no bindAddress to publish ports on",
    files: alpha("    docker: local\n    address: web1.internal\n"),
    expected: [
      'dockhand.yaml:4:14 hosts.alpha.address: "web1.internal" is a host name, and published ports listen on one IP address: add bindAddress: <the IP "web1.internal" points to on this host>, e.g. bindAddress: 10.0.0.12',
    ],
  },
  {
    name: "a bindAddress in brackets (Docker would silently publish on its default address instead)",
    files: alpha("    docker: local\n    address: web1.internal\n    bindAddress: '[fd00::12]'\n"),
    expected: [
      'dockhand.yaml:5:18 hosts.alpha.bindAddress: expected an IP address like "10.0.0.12" or "fd00::12", without brackets, got "[fd00::12]"',
    ],
  },
  {
    name: "a bindAddress that is a host name",
    files: alpha("    docker: local\n    address: 10.0.0.1\n    bindAddress: web1.internal\n"),
    expected: [
      'dockhand.yaml:5:18 hosts.alpha.bindAddress: expected an IP address like "10.0.0.12" or "fd00::12", without brackets, got "web1.internal"',
    ],
  },
  {
    name: "a bindAddress of every interface",
    files: alpha("    docker: local\n    address: 10.0.0.1\n    bindAddress: 0.0.0.0\n"),
    expected: [
      `dockhand.yaml:5:18 hosts.alpha.bindAddress: 0.0.0.0 is every interface of the host: published ports would be reachable around the proxy and the host's firewall; give the one IP address the proxy reaches this host at, like 10.0.0.12 (127.0.0.1 for this machine)`,
    ],
  },
  {
    name: "an address of every interface (IPv6), with no bindAddress",
    files: alpha("    docker: local\n    address: '::'\n"),
    expected: [
      `dockhand.yaml:4:14 hosts.alpha.address: :: is every interface of the host: published ports would be reachable around the proxy and the host's firewall; give the one IP address the proxy reaches this host at, like 10.0.0.12 (127.0.0.1 for this machine)`,
    ],
  },
  {
    name: "two hosts on the local engine",
    files: {
      "dockhand.yaml":
        "hosts:\n  alpha: { docker: local, address: 10.0.0.1 }\n  beta: { docker: local, address: 10.0.0.2 }\n",
    },
    expected: [
      "dockhand.yaml:3:19 hosts.beta.docker: the same Docker engine as host alpha (dockhand.yaml:2:20): one engine under two names is seen twice, and every sync would remove its containers as duplicates; give each engine one host",
    ],
  },
  {
    name: "two spellings of one socket path",
    files: {
      "dockhand.yaml":
        "hosts:\n  alpha:\n    docker: unix:///run/docker.sock\n    address: 10.0.0.1\n  beta:\n    docker: unix:///run//./docker.sock/\n    address: 10.0.0.2\n",
    },
    expected: [
      "dockhand.yaml:6:13 hosts.beta.docker: the same Docker engine as host alpha (dockhand.yaml:3:13): one engine under two names is seen twice, and every sync would remove its containers as duplicates; give each engine one host",
    ],
  },
  {
    name: "two spellings of one tcp endpoint, each pair named once",
    files: {
      "dockhand.yaml": [
        "hosts:",
        "  a: { docker: 'tcp://docker.example.com:2376', address: 10.0.0.1 }",
        "  b: { docker: 'tcp://docker.example.com:02376', address: 10.0.0.2 }",
        "  c: { docker: 'tcp://[FD00:0::1]:2376', address: 10.0.0.3 }",
        "  d: { docker: 'tcp://[fd00::1]:2376', address: 10.0.0.4 }",
        "  e: { docker: 'tcp://docker.example.com:2377', address: 10.0.0.5 }",
        "",
      ].join("\n"),
    },
    expected: [
      "dockhand.yaml:3:16 hosts.b.docker: the same Docker engine as host a (dockhand.yaml:2:16): one engine under two names is seen twice, and every sync would remove its containers as duplicates; give each engine one host",
      "dockhand.yaml:5:16 hosts.d.docker: the same Docker engine as host c (dockhand.yaml:4:16): one engine under two names is seen twice, and every sync would remove its containers as duplicates; give each engine one host",
    ],
  },
  {
    name: "a capacity of zero",
    files: alpha("    docker: local\n    address: 127.0.0.1\n    capacity: 0\n"),
    expected: ["dockhand.yaml:5:15 hosts.alpha.capacity: expected a whole number above 0, got 0"],
  },
  {
    name: "labels as a list",
    files: alpha("    docker: local\n    address: 127.0.0.1\n    labels: [zone-a]\n"),
    expected: ["dockhand.yaml:5:13 hosts.alpha.labels: expected a map of label: value, got a list"],
  },
];

const sections: Case[] = [
  {
    name: "a proxy driver with a typo",
    files: dockhandWith("proxy: { driver: ngnix }\n"),
    expected: [
      'dockhand.yaml:5:18 proxy.driver: expected one of builtin, nginx, caddy, got "ngnix"; did you mean "nginx"?',
    ],
  },
  {
    name: "a proxy listen address without a host",
    files: dockhandWith("proxy: { listen: 8080 }\n"),
    expected: ['dockhand.yaml:5:18 proxy.listen: expected host:port like "0.0.0.0:8080", got 8080'],
  },
  {
    name: "previews without a domain",
    files: dockhandWith("previews: { ttl: 24h }\n"),
    expected: ['dockhand.yaml:5:11 previews: missing required key "domain"'],
  },
  {
    name: "a previews ttl that is not a duration",
    files: dockhandWith("previews: { domain: preview.example.com, ttl: 3 days }\n"),
    expected: ['dockhand.yaml:5:47 previews.ttl: expected a duration like "2s", got "3 days"'],
  },
  {
    name: "a negative previews maxActive",
    files: dockhandWith("previews: { domain: preview.example.com, maxActive: -1 }\n"),
    expected: ["dockhand.yaml:5:53 previews.maxActive: expected a whole number, 0 or more, got -1"],
  },
  {
    name: "allowForks as text",
    files: dockhandWith('previews: { domain: preview.example.com, allowForks: "yes" }\n'),
    expected: ['dockhand.yaml:5:54 previews.allowForks: expected true or false, got "yes"'],
  },
  {
    name: "a status branch with a space",
    files: dockhandWith("status: { branch: dockhand status }\n"),
    expected: [
      'dockhand.yaml:5:19 status.branch: expected a branch name like "dockhand-status", got "dockhand status"',
    ],
  },
  {
    name: "a registry address with a scheme",
    files: dockhandWith("registry: { address: https://registry.example.com }\n"),
    expected: [
      'dockhand.yaml:5:22 registry.address: expected a registry host[:port] without a scheme, like "registry.example.com:5000", got "https://registry.example.com"',
    ],
  },
  {
    name: "a registry address Docker would read as a Docker Hub user (no dot, no port)",
    files: dockhandWith("registry: { address: acme }\n"),
    expected: [
      'dockhand.yaml:5:22 registry.address: expected a registry host[:port] without a scheme, like "registry.example.com:5000", got "acme"',
    ],
  },
  {
    name: "a registry namespace with capitals",
    files: dockhandWith("registry: { address: 127.0.0.1:5000, namespace: Acme }\n"),
    expected: [
      'dockhand.yaml:5:49 registry.namespace: expected a repository path of lowercase letters, digits, ".", "_", "-" and "/", like "acme", got "Acme"',
    ],
  },
  {
    name: "a registry without an address",
    files: dockhandWith("registry: { namespace: acme }\n"),
    expected: ['dockhand.yaml:5:11 registry: missing required key "address"'],
  },
  {
    name: "credentials in the registry section: never from git",
    files: dockhandWith("registry: { address: 127.0.0.1:5000, password: hunter2 }\n"),
    expected: ["dockhand.yaml:5:38 registry.password: unknown key; allowed here: address, namespace"],
  },
  {
    name: "defaults, planned but not built by this version",
    files: dockhandWith("defaults: {}\n"),
    expected: ["dockhand.yaml:5:1 defaults: not supported yet by this version of dockhand"],
  },
  {
    name: "a misspelt top-level key",
    files: { "dockhand.yaml": "host:\n  alpha: { docker: local, address: 127.0.0.1 }\n" },
    expected: [
      'dockhand.yaml:1:1 missing required key "hosts"',
      'dockhand.yaml:1:1 host: unknown key; did you mean "hosts"? Allowed here: hosts, proxy, previews, registry, status, environments',
    ],
  },
];

describe("dockhand.yaml problems, exact text", () => {
  it.each([...hosts, ...sections])("$name", ({ files, expected }) => {
    expect(problems(files)).toEqual(expected);
  });
});
