import {
  type Env,
  ifSet,
  integer,
  loadOptionalSection,
  optionalText,
  optionalUrl,
  type Section,
  textWithDefault,
} from "./variables.js";

export interface JwtAuthConfig {
  /** HS256 shared secret; exactly one of `hs256Secret` and `jwksUrl` is set. */
  readonly hs256Secret?: string;
  readonly jwksUrl?: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claim holding the shop's customer id (default `sub`). */
  readonly customerClaim: string;
  /**
   * The longest lifetime a token may claim: `exp - iat`, or `exp - now` without `iat`. A
   * token that lives longer (or has no `exp`) is refused, so a leaked token cannot be forever.
   */
  readonly maxTokenLifetimeSeconds: number;
  /** Clock difference allowed between the identity provider and this service. */
  readonly clockToleranceSeconds: number;
}

const authVariables = {
  AUTH_JWT_SECRET: optionalText,
  AUTH_JWKS_URL: optionalUrl,
  AUTH_JWT_ISSUER: optionalText,
  AUTH_JWT_AUDIENCE: optionalText,
  AUTH_CUSTOMER_CLAIM: textWithDefault("sub"),
  AUTH_MAX_TOKEN_LIFETIME_S: integer(60, 604_800, 86_400),
  AUTH_CLOCK_TOLERANCE_S: integer(0, 300, 5),
};

/** JWT verification settings; undefined when neither a secret nor a JWKS URL is set. */
export function loadAuthConfig(env: Env): Section<JwtAuthConfig | undefined> {
  return loadOptionalSection(
    env,
    authVariables,
    (v) => Boolean(v.AUTH_JWT_SECRET || v.AUTH_JWKS_URL),
    (v): JwtAuthConfig => ({
      ...ifSet("hs256Secret", v.AUTH_JWT_SECRET),
      ...ifSet("jwksUrl", v.AUTH_JWKS_URL),
      issuer: v.AUTH_JWT_ISSUER as string,
      audience: v.AUTH_JWT_AUDIENCE as string,
      customerClaim: v.AUTH_CUSTOMER_CLAIM,
      maxTokenLifetimeSeconds: v.AUTH_MAX_TOKEN_LIFETIME_S,
      clockToleranceSeconds: v.AUTH_CLOCK_TOLERANCE_S,
    }),
    (value) => {
      const problems: string[] = [];
      const jwtSecret = value("AUTH_JWT_SECRET");
      if (jwtSecret && value("AUTH_JWKS_URL"))
        problems.push("AUTH_JWKS_URL: set either AUTH_JWT_SECRET or AUTH_JWKS_URL, not both");
      if (jwtSecret && Buffer.byteLength(jwtSecret) < 32)
        problems.push("AUTH_JWT_SECRET: must be at least 32 bytes for HS256");
      if (jwtSecret || value("AUTH_JWKS_URL")) {
        if (!value("AUTH_JWT_ISSUER"))
          problems.push(
            "AUTH_JWT_ISSUER: is required with JWT authentication (the expected `iss`)",
          );
        if (!value("AUTH_JWT_AUDIENCE"))
          problems.push(
            "AUTH_JWT_AUDIENCE: is required with JWT authentication (the expected `aud`)",
          );
      }
      return problems;
    },
  );
}
