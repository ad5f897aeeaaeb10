import type { webcrypto } from "node:crypto";
import {
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import type { JwtAuthConfig } from "../config.js";
import type { Caller } from "../payments/access.js";
import { AuthenticationError, AuthenticationUnavailableError } from "./authentication-error.js";

/** Turns a request's `Authorization` header into a caller, or throws `AuthenticationError`. */
export type AuthenticateCaller = (authorization: string | undefined) => Promise<Caller>;

export interface CallerAuthenticationOptions {
  readonly jwt?: JwtAuthConfig;
  /** Sandbox mode only: a request without a token is an anonymous caller. */
  readonly allowAnonymous: boolean;
}

const ANONYMOUS: Caller = Object.freeze({ customerId: null });
const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];

export function createCallerAuthenticator(
  options: CallerAuthenticationOptions,
): AuthenticateCaller {
  const jwt = options.jwt;
  if (!jwt) {
    if (!options.allowAnonymous)
      throw new Error("JWT authentication must be configured outside sandbox mode");
    // Without a verifier nothing a caller sends can be trusted, so everyone is anonymous.
    return async () => ANONYMOUS;
  }
  const verifyToken = tokenVerifier(jwt);
  const verified = new VerifiedTokenCache();
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === "") {
      if (options.allowAnonymous) return ANONYMOUS;
      throw new AuthenticationError("missing");
    }
    const match = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new AuthenticationError("malformed");
    const token = match[1];
    const known = verified.get(token);
    if (known) return known;
    const payload = await verifyToken(token);
    const claim = payload[jwt.customerClaim];
    const customerId =
      typeof claim === "string" && claim.length > 0
        ? claim
        : typeof claim === "number"
          ? String(claim)
          : undefined;
    if (customerId === undefined) throw new AuthenticationError("invalid");
    const caller: Caller = Object.freeze({ customerId });
    if (typeof payload.exp === "number") verified.set(token, caller, payload.exp * 1000);
    return caller;
  };
}

/**
 * A browser sends the same token with every call until it expires; remembering the tokens that
 * verified (until their own `exp`) saves a signature check per request. Only exact token
 * strings that passed every check are kept, and the map is bounded.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string): Caller | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (Date.now() < entry.expiresAtMs) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, caller: Caller, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { caller, expiresAtMs });
  }
}

function tokenVerifier(jwt: JwtAuthConfig): (token: string) => Promise<JWTPayload> {
  // Imported once: handing jose the raw bytes would re-import the key on every verification.
  const key: Promise<webcrypto.CryptoKey> | JWTVerifyGetKey = jwt.hs256Secret
    ? crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(jwt.hs256Secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      )
    : createRemoteJWKSet(new URL(jwt.jwksUrl as string), {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
  const verifyOptions = {
    issuer: jwt.issuer,
    audience: jwt.audience,
    algorithms: jwt.hs256Secret ? ["HS256"] : ASYMMETRIC_ALGORITHMS,
    clockTolerance: jwt.clockToleranceSeconds,
    // A token without `exp` would be valid forever once leaked.
    requiredClaims: ["exp"],
  };
  return async (token) => {
    try {
      const { payload } =
        key instanceof Promise
          ? await jwtVerify(token, await key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      if (!withinLifetime(payload, jwt)) throw new AuthenticationError("invalid");
      return payload;
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError("expired");
      if (error instanceof joseErrors.JWKSTimeout)
        throw new AuthenticationUnavailableError({ cause: error });
      if (error instanceof joseErrors.JOSEError) throw new AuthenticationError("invalid");
      // Fetching the JWKS failed (network, bad JSON): not something the caller can fix.
      throw new AuthenticationUnavailableError({ cause: error });
    }
  };
}

/**
 * A token may not claim to live longer than the configured maximum: measured from `iat` when
 * the issuer states it, otherwise from now (so a token minted with a far `exp` is refused).
 * The clock tolerance applies here as it does to `exp` and `nbf`.
 */
function withinLifetime(payload: JWTPayload, jwt: JwtAuthConfig): boolean {
  if (typeof payload.exp !== "number") return false;
  const start = typeof payload.iat === "number" ? payload.iat : Math.floor(Date.now() / 1000);
  return payload.exp - start <= jwt.maxTokenLifetimeSeconds + jwt.clockToleranceSeconds;
}
