import { describe, expect, it } from "vitest";
import {
  describeKey,
  fingerprintOf,
  hostKeyAlgorithms,
  judgeHostKey,
  knownHostsLine,
  knownHostsName,
  parseKnownHosts,
} from "../../../src/docker/ssh-known-hosts.js";

// Keys and a hashed file made with OpenSSH 9.2: ssh-keygen -t ..., then ssh-keygen -H on
// "[db.example.com]:2222 <K1>" and "web.example.com <K2>"; fingerprints from ssh-keygen -lf.
const K1 = "AAAAC3NzaC1lZDI1NTE5AAAAIBBb60N3FXP6XtUeWyHzr2gbyYJlPPq2EUqeS95AYGC+";
const K1_FINGERPRINT = "SHA256:N3haXW9HsxLjH2ylgnGLdJsQnzHbz2psmCw4GYpWzSQ";
const K2 = "AAAAC3NzaC1lZDI1NTE5AAAAIISubAXK66ltH12y5islktJAbqlR2VOG9dfRaSGi3ELC";
const K3 =
  "AAAAB3NzaC1yc2EAAAADAQABAAABAQCq3czeg56Fyl1mHALwshlC+/pIwZA4rn81vCEYJu8rrsy7SSqR8k9ckdPRqJ2h1+m3UwCDvChILHhpgCHs0Ae1LkNAie0HyA+RI7iixQJOXExhGXYZY+SCwURTohAJoP7zIwL8FGvz+hX1/CL/LkM1SbN5mTzhW+TKV++SGKnJ7f9WCFJUAQPMwQCgrsS9MvzCDCS6qrQ9qbtj3sUvsyc1liM46WUBWBGulxqddK4T2IP4HxQK6U0L3qDL49jYzctC07i0UNPfMx6TuU2RZgTf2k3aAZyVdHUYbBOs+Hgz7tfU1hSWBvD+Mtxm6r2QyjlpHZIBjHyFnYYYtN51tHZf";
const K3_FINGERPRINT = "SHA256:V8w3cFcWJeukL+V7lDevuJmjsyc9Q8+o0XwkjlLzIGA";
const HASHED = [
  `|1|Fwk8j067/oBNt64yVbf3SzCS4Mo=|ro5wqwfmOGdt4Eo1jcFq6gepjWg= ssh-ed25519 ${K1}`,
  `|1|S7V6Qf6OeEwibp7lpaXDIP0ENME=|tf1P3y0BNmlSReGAnSCDXrmuVC8= ssh-ed25519 ${K2}`,
].join("\n");

const blob = (key: string) => Buffer.from(key, "base64");

describe("known_hosts names", () => {
  it.each([
    ["db.example.com", 22, "db.example.com"],
    ["db.example.com", 2222, "[db.example.com]:2222"],
    ["fd00::12", 2222, "[fd00::12]:2222"],
  ])("%s port %i is filed as %s", (host, port, name) => {
    expect(knownHostsName(host, port)).toBe(name);
  });
});

describe("judgeHostKey", () => {
  const cases: Array<{ name: string; file: string; host: string; key: string; verdict: unknown }> = [
    {
      name: "a plain name",
      file: `web.example.com ssh-ed25519 ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "known", line: 1 },
    },
    {
      name: "a hashed [host]:port (ssh-keygen -H)",
      file: HASHED,
      host: "[db.example.com]:2222",
      key: K1,
      verdict: { kind: "known", line: 1 },
    },
    {
      name: "a hashed name on port 22",
      file: HASHED,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "known", line: 2 },
    },
    {
      name: "the hashed entry does not cover another port",
      file: HASHED,
      host: "[db.example.com]:2200",
      key: K1,
      verdict: { kind: "unknown" },
    },
    {
      name: "one of several comma-separated names",
      file: `a.example.com,10.0.0.9 ssh-ed25519 ${K2}`,
      host: "10.0.0.9",
      key: K2,
      verdict: { kind: "known", line: 1 },
    },
    {
      name: "a wildcard",
      file: `*.example.com ssh-ed25519 ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "known", line: 1 },
    },
    {
      name: "a ? wildcard does not match two characters",
      file: `web?.example.com ssh-ed25519 ${K2}`,
      host: "web12.example.com",
      key: K2,
      verdict: { kind: "unknown" },
    },
    {
      name: "a negation wins over a wildcard",
      file: `*.example.com,!web.example.com ssh-ed25519 ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "unknown" },
    },
    {
      name: "names match whatever their case",
      file: `WEB.example.com ssh-ed25519 ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "known", line: 1 },
    },
    {
      name: "another key for the host is a change",
      file: `# ours\n\nweb.example.com ssh-ed25519 ${K1}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "changed", known: [{ line: 3, type: "ssh-ed25519", blob: blob(K1) }] },
    },
    {
      name: "a key of another type for the host is a change too",
      file: `web.example.com ssh-rsa ${K3}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "changed", known: [{ line: 1, type: "ssh-rsa", blob: blob(K3) }] },
    },
    {
      name: "@revoked refuses the key even with a good line",
      file: `@revoked * ssh-ed25519 ${K2}\nweb.example.com ssh-ed25519 ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "revoked", line: 1 },
    },
    {
      name: "@cert-authority lines vouch for nothing",
      file: `@cert-authority *.example.com ssh-ed25519 ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "unknown" },
    },
    {
      name: "a line whose type does not match its key is skipped",
      file: `web.example.com ssh-rsa ${K2}`,
      host: "web.example.com",
      key: K2,
      verdict: { kind: "unknown" },
    },
    { name: "an empty file", file: "", host: "web.example.com", key: K2, verdict: { kind: "unknown" } },
  ];
  it.each(cases)("$name", ({ file, host, key, verdict }) => {
    expect(judgeHostKey(parseKnownHosts(file), host, blob(key))).toEqual(verdict);
  });
});

describe("fingerprints and lines", () => {
  it("prints fingerprints as ssh-keygen -l does", () => {
    expect(fingerprintOf(blob(K1))).toBe(K1_FINGERPRINT);
    expect(fingerprintOf(blob(K3))).toBe(K3_FINGERPRINT);
    expect(describeKey(blob(K1))).toBe(`ED25519 key ${K1_FINGERPRINT}`);
    expect(describeKey(blob(K3))).toBe(`RSA key ${K3_FINGERPRINT}`);
  });

  it("writes the line that makes the host known, and reads it back", () => {
    const line = knownHostsLine("[db.example.com]:2222", blob(K1));
    expect(line).toBe(`[db.example.com]:2222 ssh-ed25519 ${K1}`);
    expect(judgeHostKey(parseKnownHosts(line), "[db.example.com]:2222", blob(K1))).toEqual({ kind: "known", line: 1 });
  });

  it("asks a server only for the kinds of key the file holds for it", () => {
    const known = parseKnownHosts(`h ssh-rsa ${K3}\nh ssh-ed25519 ${K1}`);
    expect(hostKeyAlgorithms(known)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
  });
});
