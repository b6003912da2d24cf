import type { FastifyRequest } from "fastify";

/** The token of `Authorization: Bearer <token>`, else undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim();
}
