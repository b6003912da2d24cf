/** Test certificates made with openssl: a CA, and leaf certificates it signs for given DNS names. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  dir: string;
  caPem: string;
  /** Writes <name>.pem and <name>.key for these DNS names (first one is the CN); returns the paths. */
  issue(name: string, dnsNames: string[]): { certFile: string; keyFile: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: "pipe" });
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-tls-"));
  openssl(
    ["req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=dockhand test CA"],
    dir,
  );
  return {
    dir,
    caPem: readFileSync(join(dir, "ca.pem"), "utf8"),
    issue(name, dnsNames) {
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(",")}\n`);
      openssl(["req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${dnsNames[0]}`], dir);
      openssl(
        [
          "x509",
          "-req",
          "-in",
          `${name}.csr`,
          "-CA",
          "ca.pem",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-out",
          `${name}.pem`,
          "-days",
          "2",
          "-extfile",
          ext,
        ],
        dir,
      );
      return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
    },
  };
}
