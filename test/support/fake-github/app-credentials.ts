/**
 * A GitHub App's key pair for tests, and the fake's side of App auth:
 * verifying the RS256 JWT the way GitHub does (signature, issuer, a lifetime
 * of at most ten minutes, not expired).
 */
import { generateKeyPairSync, type KeyObject, verify } from "node:crypto";

export interface TestApp {
  appId: number;
  /** PKCS#1 PEM, as GitHub hands out App keys. */
  privateKeyPem: string;
  publicKey: KeyObject;
}

let keys: { privateKeyPem: string; publicKey: KeyObject } | undefined;

/** One key pair per process: RSA generation is the slow part. */
export function testApp(appId = 4242): TestApp {
  if (!keys) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    keys = {
      privateKeyPem: pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      publicKey: pair.publicKey,
    };
  }
  return { appId, ...keys };
}

export type JwtCheck = { ok: true; appId: string } | { ok: false; message: string };

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** GitHub's own words for a JWT it refuses. */
export function checkAppJwt(token: string, app: TestApp, nowSeconds: number): JwtCheck {
  const [head, body, signature] = token.split(".");
  const header = decodePart(head);
  const claims = decodePart(body);
  if (!header || !claims || signature === undefined) {
    return { ok: false, message: "A JSON web token could not be decoded" };
  }
  if (header.alg !== "RS256") return { ok: false, message: "A JSON web token could not be decoded" };
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${head}.${body}`),
    app.publicKey,
    Buffer.from(signature, "base64url"),
  );
  if (!signed) return { ok: false, message: "A JSON web token could not be decoded" };
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (String(claims.iss) !== String(app.appId)) {
    return { ok: false, message: `Integration not found` };
  }
  if (!(exp > nowSeconds))
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  if (exp - iat > 600) return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  if (iat > nowSeconds + 60)
    return {
      ok: false,
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  return { ok: true, appId: String(claims.iss) };
}
