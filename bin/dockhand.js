#!/usr/bin/env node
// Runs the compiled CLI (dist/: `npm run build`, and what the published package ships), else,
// in a clone without a build, the TypeScript source through tsx (a devDependency).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const compiled = join(root, "dist", "cli.js");
if (existsSync(compiled) && !process.env.DOCKHAND_FROM_SOURCE) {
  const { main } = await import(pathToFileURL(compiled).href);
  await main(process.argv);
} else {
  const tsx = await import("tsx/esm/api").catch((error) => {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    process.stderr.write(
      `dockhand: ${compiled} is missing and tsx is not installed to run the source instead; in a clone, run npm ci (and npm run build for the compiled CLI)\n`,
    );
    process.exit(1);
  });
  tsx.register();
  const { main } = await import(pathToFileURL(join(root, "src", "cli.ts")).href);
  await main(process.argv);
}
