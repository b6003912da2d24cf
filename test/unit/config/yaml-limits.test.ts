import { describe, expect, it } from "vitest";
import { formatBytes, utf8Length, YAML_LIMITS } from "../../../src/config/index.js";
import { parse, problems, WEB_YAML } from "./deploy-repo-fixture.js";

/** An app file padded with a comment to exactly `bytes` bytes (ASCII). */
function appOfBytes(bytes: number, name = "web"): string {
  const head = WEB_YAML.replace("name: web", `name: ${name}`).replace("www.example.com", `${name}.example.com`);
  return `${head}#${"x".repeat(bytes - head.length - 2)}\n`;
}

describe("utf8Length", () => {
  it.each([
    ["", 0],
    ["ascii", 5],
    ["é", 2],
    ["€", 3],
    ["😀", 4],
    ["a😀é€", 10],
    // A lone surrogate is written as U+FFFD, three bytes.
    ["\ud800", 3],
  ])("%j is %i bytes, as Buffer counts it", (text, bytes) => {
    expect(utf8Length(text)).toBe(bytes);
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, "utf8"));
  });
});

describe("formatBytes", () => {
  it.each([
    [999, "999 bytes"],
    [1_000, "1 kB"],
    [1_500, "1.5 kB"],
    [1_000_000, "1 MB"],
    [1_234_567, "1.23 MB"],
    [10_000_000, "10 MB"],
  ])("%i bytes read as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("size limits, before anything is parsed", () => {
  it("takes an app file of exactly 1 MB", () => {
    const text = appOfBytes(YAML_LIMITS.fileBytes);
    expect(utf8Length(text)).toBe(1_000_000);
    expect(parse({ "apps/web.yaml": text }).apps.map((app) => app.name)).toEqual(["web"]);
  });

  it("refuses an app file one byte over 1 MB, saying its size and the limit", () => {
    expect(problems({ "apps/web.yaml": appOfBytes(YAML_LIMITS.fileBytes + 1) })).toEqual([
      "apps/web.yaml:1:1 the file is 1 MB (1000001 bytes); a deploy repo file may be at most 1 MB",
    ]);
  });

  it("counts bytes, not characters: 400,000 euro signs are 1.2 MB", () => {
    const text = `${WEB_YAML}env: { E: "${"€".repeat(400_000)}" }\n`;
    expect(problems({ "apps/web.yaml": text })).toEqual([
      "apps/web.yaml:1:1 the file is 1.2 MB (1200087 bytes); a deploy repo file may be at most 1 MB",
    ]);
  });

  it("refuses a dockhand.yaml over 1 MB like an app file", () => {
    const [problem] = problems({ "dockhand.yaml": `hosts: {}\n#${"x".repeat(YAML_LIMITS.fileBytes)}\n` });
    expect(problem).toBe("dockhand.yaml:1:1 the file is 1 MB (1000012 bytes); a deploy repo file may be at most 1 MB");
  });

  it("refuses a repo whose YAML comes to more than 10 MB, naming the file that went past, and parses nothing", () => {
    const files: Record<string, string> = {};
    // Eleven files just under 1 MB each, every one of them invalid: only the size is reported.
    for (let i = 0; i < 11; i++)
      files[`apps/a${String(i).padStart(2, "0")}.yaml`] = `port: [\n#${"x".repeat(990_000)}\n`;
    expect(problems(files)).toEqual([
      "apps/a10.yaml:1:1 with this file the deploy repo's YAML comes to 10.89 MB; dockhand.yaml and apps/*.yaml together may be at most 10 MB",
    ]);
  });

  it("refuses more than 1000 app files, naming the first one past the limit", () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1002; i++) files[`apps/a${String(i).padStart(4, "0")}.yaml`] = "not: an app\n";
    expect(problems(files)).toEqual([
      "apps/a1000.yaml:1:1 the deploy repo has 1003 app files (apps/*.yaml); dockhand reads at most 1000, and this is number 1001",
    ]);
  });
});

describe("problems per file", () => {
  it("lists the first 100 of a file and counts the rest", () => {
    const env = Array.from({ length: 150 }, (_, i) => `  K${i}: [x]`).join("\n");
    const found = problems({ "apps/web.yaml": `${WEB_YAML}env:\n${env}\n` });
    expect(found).toHaveLength(101);
    expect(found[0]).toBe("apps/web.yaml:6:7 env.K0: expected a string, number or boolean, got a list");
    expect(found[99]).toBe("apps/web.yaml:105:8 env.K99: expected a string, number or boolean, got a list");
    expect(found[100]).toBe("apps/web.yaml:106:9 and 50 more problems in this file (the first 100 are listed)");
  });

  it("keeps every file's own first 100", () => {
    const bad = (n: number) =>
      `name: api\nimage: x\nport: 80\nenv:\n${Array.from({ length: n }, (_, i) => `  K${i}: [x]`).join("\n")}\n`;
    const found = problems({ "apps/api.yaml": bad(101), "apps/web.yaml": `${WEB_YAML}env:\n  A: [x]\n` });
    expect(found.filter((p) => p.startsWith("apps/api.yaml"))).toHaveLength(101);
    expect(found.filter((p) => p.startsWith("apps/web.yaml"))).toEqual([
      "apps/web.yaml:6:6 env.A: expected a string, number or boolean, got a list",
    ]);
  });
});
