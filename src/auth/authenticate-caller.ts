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
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === "") {
      if (options.allowAnonymous) return ANONYMOUS;
      throw new AuthenticationError("missing");
    }
    const match = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new AuthenticationError("malformed");
    const payload = await verifyToken(match[1]);
    const customerId = payload[jwt.customerClaim];
    if (typeof customerId === "string" && customerId.length > 0) return { customerId };
    if (typeof customerId === "number") return { customerId: String(customerId) };
    throw new AuthenticationError("invalid");
  };
}

function tokenVerifier(jwt: JwtAuthConfig): (token: string) => Promise<JWTPayload> {
  const key: Uint8Array | JWTVerifyGetKey = jwt.hs256Secret
    ? new TextEncoder().encode(jwt.hs256Secret)
    : createRemoteJWKSet(new URL(jwt.jwksUrl as string), {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
  const verifyOptions = {
    issuer: jwt.issuer,
    audience: jwt.audience,
    algorithms: jwt.hs256Secret ? ["HS256"] : ASYMMETRIC_ALGORITHMS,
    clockTolerance: 5,
  };
  return async (token) => {
    try {
      const { payload } =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError("expired");
      if (error instanceof joseErrors.JWKSTimeout)
        throw new AuthenticationUnavailableError({ cause: error });
      if (error instanceof joseErrors.JOSEError) throw new AuthenticationError("invalid");
      // Fetching the JWKS failed (network, bad JSON): not something the caller can fix.
      throw new AuthenticationUnavailableError({ cause: error });
    }
  };
}
