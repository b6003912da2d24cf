/**
 * Which files of the deploy repo config reads (docs/deploy-repo.md):
 * `dockhand.yaml` at the root and one `apps/<name>.yaml` per app.
 */
export const ROOT_CONFIG_FILE = "dockhand.yaml";

const APP_FILE = /^apps\/[^/]+\.yaml$/;

export function isDeployFile(path: string): boolean {
  return path === ROOT_CONFIG_FILE || APP_FILE.test(path);
}
