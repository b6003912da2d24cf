/**
 * JSON Schemas of dockhand.yaml and apps/*.yaml for editors (yaml-language-server
 * and friends), generated from the same zod schemas that validate: never stale.
 * Draft-07 because it is what most editors understand fully.
 */
import { z } from "zod";
import { appFileSchema } from "./app-schema.js";
import { dockhandFileSchema } from "./dockhand-schema.js";

export interface DeployRepoJsonSchemas {
  dockhand: Record<string, unknown>;
  app: Record<string, unknown>;
}

/** zod bounds every int by Number.MAX_SAFE_INTEGER; in an editor's hover that is noise. */
function dropSafeIntegerBound(ctx: { jsonSchema: { maximum?: unknown } }): void {
  if (ctx.jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete ctx.jsonSchema.maximum;
}

export function deployRepoJsonSchemas(): DeployRepoJsonSchemas {
  // io "input": what a person writes (defaults optional, durations as text), not what the parser returns.
  const options = { io: "input", target: "draft-07", override: dropSafeIntegerBound } as const;
  return {
    dockhand: z.toJSONSchema(dockhandFileSchema, options) as Record<string, unknown>,
    app: z.toJSONSchema(appFileSchema, options) as Record<string, unknown>,
  };
}
