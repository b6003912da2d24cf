/**
 * apps/<name>.yaml on its own: schema plus the relations a schema cannot say.
 * Checks that need other files live in check-across-files.ts.
 */
import type { ConfigIssue } from "../model/index.js";
import { type AppFile, appFileSchema } from "./app-schema.js";
import { containerKeyIssues } from "./check-container-keys.js";
import { stackKeyIssues } from "./check-stack-keys.js";
import { APP_KEYS_NOT_SUPPORTED_YET } from "./defaults.js";
import { APP_NAME_RE } from "./fields.js";
import { asMap, type RawMap } from "./raw.js";
import { type ValidatedFile, validateFile, validateYaml } from "./validate-file.js";
import { issueAt, type KeyPath, keysAt, type YamlFile } from "./yaml-file.js";

export const APP_FILE_RE = /^apps\/([^/]+)\.yaml$/;

export interface CheckedAppFile {
  path: string;
  issues: ConfigIssue[];
  file?: YamlFile;
  raw?: RawMap;
  value?: AppFile;
}

const APP_RULES = {
  schema: appFileSchema,
  notSupportedYet: APP_KEYS_NOT_SUPPORTED_YET,
  emptyMessage: "the file is empty; an app needs at least name and image (or build), and port if it serves",
  rootWhat: "a map with keys name, image or build, port, ...",
  verbatimMaps: (raw: RawMap): KeyPath[] => [
    ["env"],
    ["build", "args"],
    ["placement", "labels"],
    ["command"],
    ["hooks", "beforeDeploy"],
    ...Object.keys(asMap(raw.environments) ?? {}).flatMap((env): KeyPath[] => [
      ["environments", env, "env"],
      ["environments", env, "placement", "labels"],
    ]),
  ],
};

export function checkAppFile(path: string, source: string): CheckedAppFile {
  return withAppChecks(path, validateFile(path, source, APP_RULES));
}

/** An app as one environment sees it: its file merged with that environment's overrides (environment-apps.ts). */
export function checkAppYaml(file: YamlFile): CheckedAppFile {
  return withAppChecks(file.path, validateYaml(file, APP_RULES));
}

function withAppChecks(path: string, checked: ValidatedFile<AppFile>): CheckedAppFile {
  const { file, raw } = checked;
  if (!file || !raw) return { path, ...checked };
  const issues = [
    ...checked.issues,
    ...nameIssues(file, raw),
    ...sourceIssues(file, raw),
    ...containerKeyIssues(file, raw),
    ...stackKeyIssues(file, raw),
  ];
  return { path, issues, file, raw, value: checked.value };
}

function nameIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const expectedName = APP_FILE_RE.exec(file.path)?.[1];
  const { name } = raw;
  if (typeof name !== "string" || !APP_NAME_RE.test(name) || name === expectedName) return [];
  const fix = expectedName && APP_NAME_RE.test(expectedName) ? ` or set name: ${expectedName}` : "";
  const message = `name "${name}" does not match the file name ${file.path}; rename the file to apps/${name}.yaml${fix}`;
  return [issueAt(file, ["name"], message)];
}

/** Exactly one of build and image: the app must say where its image comes from, once. */
function sourceIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const hasBuild = raw.build !== undefined;
  const hasImage = raw.image !== undefined;
  if (hasBuild && hasImage) {
    const keys = keysAt(file, []);
    const later = keys.indexOf("build") > keys.indexOf("image") ? "build" : "image";
    return [issueAt(file, [later], 'use either "build" or "image", not both', "key")];
  }
  if (hasBuild || hasImage) return [];
  const message =
    'missing "image" or "build": say which image to run (image: nginx:1.27) or what to build (build: { context: services/web })';
  return [issueAt(file, [], message)];
}

export function isAppFilePath(path: string): boolean {
  return APP_FILE_RE.test(path);
}
