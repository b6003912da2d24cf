/**
 * How much YAML dockhand reads. A pull request may come from anyone, and its
 * files are read before anything else is known about them: each bound keeps
 * reading them short and linear (docs/deploy-repo.md#limits).
 */
import type { ConfigIssue } from "../model/index.js";

export const YAML_LIMITS = {
  /** One file: dockhand.yaml or an app file. */
  fileBytes: 1_000_000,
  /** dockhand.yaml and every apps/*.yaml together. */
  totalBytes: 10_000_000,
  appFiles: 1_000,
  /** Aliases (`*name`) in one file. */
  aliases: 100,
  /** Values the aliases of one file may copy in all, counting what their anchors' aliases copy. */
  aliasedValues: 10_000,
  /** Maps and lists inside each other. */
  depth: 64,
  /** Problems reported per file; a count stands for the rest. */
  issuesPerFile: 100,
} as const;

export const TOO_DEEP = `maps and lists nest deeper than ${YAML_LIMITS.depth} levels here; dockhand reads at most ${YAML_LIMITS.depth}`;

/** UTF-8 bytes without encoding a copy: a file may be large, which is the point of asking. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      // A surrogate pair is one character of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  // Number() drops trailing zeros: "10 MB", "1.25 MB".
  return bytes >= 1_000_000
    ? `${Number((bytes / 1_000_000).toFixed(2))} MB`
    : `${Number((bytes / 1000).toFixed(1))} kB`;
}

function atStart(file: string, message: string): ConfigIssue {
  return { file, line: 1, column: 1, path: "", message };
}

/** One file over the size limit, before it is parsed; undefined when it fits. */
export function fileSizeIssue(path: string, source: string): ConfigIssue | undefined {
  // A character is at most four bytes: most files are decided without counting.
  if (source.length * 4 <= YAML_LIMITS.fileBytes) return undefined;
  const bytes = utf8Length(source);
  if (bytes <= YAML_LIMITS.fileBytes) return undefined;
  const limit = formatBytes(YAML_LIMITS.fileBytes);
  return atStart(
    path,
    `the file is ${formatBytes(bytes)} (${bytes} bytes); a deploy repo file may be at most ${limit}`,
  );
}

/**
 * The repo as a whole: too many app files, or too many bytes of YAML in all.
 * Either refuses the repo before any file is parsed; the issue names the file
 * that went past the limit (in path order).
 */
export function repoSizeIssues(
  files: Readonly<Record<string, string>>,
  isAppFile: (path: string) => boolean,
): ConfigIssue[] {
  const paths = Object.keys(files).sort();
  const apps = paths.filter(isAppFile);
  const issues: ConfigIssue[] = [];
  const extra = apps[YAML_LIMITS.appFiles];
  if (extra !== undefined) {
    const message = `the deploy repo has ${apps.length} app files (apps/*.yaml); dockhand reads at most ${YAML_LIMITS.appFiles}, and this is number ${YAML_LIMITS.appFiles + 1}`;
    issues.push(atStart(extra, message));
  }
  let total = 0;
  for (const path of paths) {
    const text = files[path] ?? "";
    total += utf8Length(text);
    if (total > YAML_LIMITS.totalBytes) {
      const limit = formatBytes(YAML_LIMITS.totalBytes);
      const message = `with this file the deploy repo's YAML comes to ${formatBytes(total)}; dockhand.yaml and apps/*.yaml together may be at most ${limit}`;
      issues.push(atStart(path, message));
      break;
    }
  }
  return issues;
}
