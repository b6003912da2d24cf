import { describe, expect, it } from "vitest";
import { buildImageTag, listSources, parseDeployRepo } from "../../../src/config/index.js";
import {
  ConfigError,
  formatConfigIssue,
  type RepoSnapshot,
  type SourceFailure,
  type SourceSnapshot,
  sourceKey,
} from "../../../src/model/index.js";
import { repoWith } from "./deploy-repo-fixture.js";

const WEB_REPO = "https://github.com/acme/web.git";
const SOURCE_SHA = "89abcdef0123456789abcdef0123456789abcdef";
const SOURCE_TREES = {
  "": "aaaa000000000000000000000000000000000000",
  app: "bbbb000000000000000000000000000000000000",
};

function webApp(build: string): string {
  return `name: web\nbuild: ${build}\nport: 8080\n`;
}

function withSources(snapshot: RepoSnapshot, sources: Array<SourceSnapshot | SourceFailure>, branch?: string) {
  const entries = sources.map((s) => [sourceKey({ url: s.url, ...(branch ? { branch } : {}) }), s]);
  return { ...snapshot, sources: Object.fromEntries(entries) };
}

const mainBranch: SourceSnapshot = { url: WEB_REPO, branch: "main", sha: SOURCE_SHA, trees: SOURCE_TREES };

function problemsOf(snapshot: RepoSnapshot): string[] {
  try {
    parseDeployRepo(snapshot);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatConfigIssue);
    throw error;
  }
  throw new Error("expected a ConfigError, but the deploy repo parsed");
}

describe("build.git: an app built from its own source repository", () => {
  it("builds the context of the source repo at the commit the sync read, tagged by that tree", () => {
    const snapshot = withSources(repoWith({ "apps/web.yaml": webApp(`{ git: ${WEB_REPO}, context: app }`) }), [
      mainBranch,
    ]);
    const [web] = parseDeployRepo(snapshot).apps;
    expect(web?.build).toEqual({
      context: "app",
      dockerfile: "Dockerfile",
      contextHash: SOURCE_TREES.app,
      git: { url: WEB_REPO, branch: "main", sha: SOURCE_SHA },
    });
    expect(web?.image).toBe(buildImageTag("web", SOURCE_TREES.app, "Dockerfile"));
  });

  it("keeps the image and spec when the source moved but the context did not", () => {
    const files = { "apps/web.yaml": webApp(`{ git: ${WEB_REPO}, branch: release, context: . }`) };
    const at = (sha: string, app: string) =>
      parseDeployRepo(
        withSources(
          repoWith(files),
          [{ url: WEB_REPO, branch: "release", sha, trees: { "": SOURCE_TREES[""], app } }],
          "release",
        ),
      ).apps[0];
    const before = at(SOURCE_SHA, "1111111111111111111111111111111111111111");
    const after = at("fedcba9876543210fedcba9876543210fedcba98", "2222222222222222222222222222222222222222");
    expect(after?.build?.git?.sha).not.toBe(before?.build?.git?.sha);
    expect(after?.image).toBe(before?.image);
    expect(after?.specHash).toBe(before?.specHash);
  });

  it("puts build args and the target into the image tag, and leaves tags without them as they were", () => {
    const plain = parseDeployRepo(repoWith({ "apps/web.yaml": webApp("{ context: services/api }") })).apps[0];
    const withArgs = parseDeployRepo(
      repoWith({ "apps/web.yaml": webApp("{ context: services/api, args: { VERSION: 1.10 }, target: runtime }") }),
    ).apps[0];
    expect(plain?.image).toBe(buildImageTag("web", "3333333333333333333333333333333333333333", "Dockerfile"));
    expect(withArgs?.build).toMatchObject({ args: { VERSION: "1.10" }, target: "runtime" });
    expect(withArgs?.image).not.toBe(plain?.image);
    expect(withArgs?.specHash).not.toBe(plain?.specHash);
  });

  it("leaves out, without a config error, an app whose source repository could not be fetched", () => {
    const unreachable = {
      url: WEB_REPO,
      error: `could not fetch ${WEB_REPO}: Could not resolve host`,
      transient: true,
    };
    const snapshot = withSources(repoWith({ "apps/web.yaml": webApp(`{ git: ${WEB_REPO}, context: app }`) }), [
      unreachable,
    ]);
    const [web] = parseDeployRepo(snapshot).apps;
    expect(web?.build?.unavailable).toBe(`could not fetch ${WEB_REPO}: Could not resolve host`);
  });

  const errors: Array<{
    name: string;
    build: string;
    sources?: Array<SourceSnapshot | SourceFailure>;
    expected: string[];
  }> = [
    {
      name: "a source repository that was not read",
      build: `{ git: ${WEB_REPO}, context: app }`,
      expected: [`apps/web.yaml:2:15 build.git: ${WEB_REPO} was not read (dockhand reads build.git before validating)`],
    },
    {
      name: "a source repository without the branch",
      build: `{ git: ${WEB_REPO}, context: app }`,
      sources: [{ url: WEB_REPO, error: `unknown ref "main" in ${WEB_REPO}` }],
      expected: [`apps/web.yaml:2:15 build.git: unknown ref "main" in ${WEB_REPO}`],
    },
    {
      name: "a context missing from the source repository",
      build: `{ git: ${WEB_REPO}, context: services/web }`,
      sources: [mainBranch],
      expected: [
        `apps/web.yaml:2:57 build.context: no directory "services/web" in ${WEB_REPO} at 89abcde (branch main)`,
      ],
    },
    {
      name: "a branch without a source repository",
      build: "{ context: services/api, branch: main }",
      expected: [
        "apps/web.yaml:2:41 build.branch: build.branch needs build.git: the deploy repo's branch is set by the deploy",
      ],
    },
    {
      name: "a password in the URL",
      build: "{ git: 'https://bot:hunter2@github.com/acme/web.git', context: . }",
      expected: [
        `apps/web.yaml:2:15 build.git: expected a git URL like "https://github.com/acme/web.git" or "git@github.com:acme/web.git" (no password in it), or an absolute path, got "https://bot:hunter2@github.com/acme/web.git"`,
      ],
    },
    {
      name: "a relative path",
      build: "{ git: ../web, context: . }",
      expected: [
        `apps/web.yaml:2:15 build.git: expected a git URL like "https://github.com/acme/web.git" or "git@github.com:acme/web.git" (no password in it), or an absolute path, got "../web"`,
      ],
    },
  ];
  for (const c of errors) {
    it(`reports ${c.name}`, () => {
      const snapshot = withSources(repoWith({ "apps/web.yaml": webApp(c.build) }), c.sources ?? []);
      expect(problemsOf(snapshot)).toEqual(c.expected);
    });
  }
});

describe("listSources", () => {
  const cases: Array<{ name: string; files: Record<string, string>; expected: unknown[] }> = [
    { name: "no app builds from a source repository", files: {}, expected: [] },
    {
      name: "two apps on one repository and branch, one on another branch",
      files: {
        "apps/web.yaml": webApp(`{ git: ${WEB_REPO}, context: . }`),
        "apps/api.yaml": `name: api\nbuild: { git: ${WEB_REPO}, context: api }\nport: 80\n`,
        "apps/worker.yaml": `name: worker\nbuild: { git: 'git@github.com:acme/web.git', branch: next, context: . }\nport: 80\n`,
      },
      expected: [{ url: WEB_REPO }, { url: "git@github.com:acme/web.git", branch: "next" }],
    },
    {
      name: "a broken file is skipped (validation reports it)",
      files: { "apps/web.yaml": "name: web\nbuild: { git: [not, a, url] }\n", "apps/api.yaml": "{{{" },
      expected: [],
    },
    {
      name: "files over the YAML limits are skipped, never thrown on; the other apps' sources are listed",
      files: {
        "apps/web.yaml": webApp(`{ git: ${WEB_REPO}, context: . }`),
        "apps/aliases.yaml": `a: &a x\n${Array.from({ length: 8000 }, (_, i) => `K${i}: *a`).join("\n")}\n`,
        "apps/laughs.yaml": `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(10).fill("*a").join(", ")}]\nc: &c [${Array(10).fill("*b").join(", ")}]\nbuild: [${Array(10).fill("*c").join(", ")}]\n`,
        "apps/loop.yaml": "build: &b { git: *b }\n",
        "apps/deep.yaml": `build: ${"[".repeat(500)}\n`,
        "apps/big.yaml": `build: { git: ${WEB_REPO}, branch: big, context: . }\n#${"x".repeat(1_000_000)}\n`,
      },
      expected: [{ url: WEB_REPO }],
    },
    {
      name: "a repo over the size limit lists nothing (the parse that follows refuses it)",
      files: Object.fromEntries(
        Array.from({ length: 1001 }, (_, i) => [`apps/a${i}.yaml`, webApp(`{ git: ${WEB_REPO}, context: . }`)]),
      ),
      expected: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(listSources(repoWith(c.files))).toEqual(c.expected);
    });
  }
});
