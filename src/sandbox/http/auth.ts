import { randomBytes, timingSafeEqual } from "node:crypto";
import type {
  LoginViaApiSecretResponse,
  RefreshTokenResponse,
} from "../../sdk/generated/auth/types.js";
import type { Clock } from "../options.js";
import { PortOneApiError } from "./api-error.js";

const ACCESS_TOKEN_TTL_MS = 30 * 60 * 1000;
const REFRESH_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const unauthorized = (message: string) => new PortOneApiError("UNAUTHORIZED", message);

/**
 * PortOne's two ways in: `Authorization: PortOne <api secret>`, or a Bearer access token from
 * loginViaApiSecret / refreshToken. A new login or refresh retires the previous refresh token.
 */
export class Authenticator {
  private readonly accessTokens = new Map<string, number>();
  private refreshToken: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly apiSecret: string,
    private readonly clock: Clock,
  ) {}

  /** Throws UNAUTHORIZED unless the Authorization header carries valid credentials. */
  check(header: string | undefined): void {
    if (!header) {
      throw unauthorized(
        "Missing Authorization header: send `Authorization: PortOne <API secret>`.",
      );
    }
    const space = header.indexOf(" ");
    const scheme = space < 0 ? header : header.slice(0, space);
    const credential = space < 0 ? "" : header.slice(space + 1).trim();
    if (scheme === "PortOne") {
      if (!sameSecret(credential, this.apiSecret)) {
        throw unauthorized("The API secret is not valid for this store.");
      }
      return;
    }
    if (scheme === "Bearer") {
      const expiresAt = this.accessTokens.get(credential);
      if (expiresAt === undefined || expiresAt <= this.clock.now()) {
        this.accessTokens.delete(credential);
        throw unauthorized("The access token is invalid or expired; log in or refresh it.");
      }
      return;
    }
    throw unauthorized(
      "Unsupported Authorization scheme: use `PortOne <API secret>` or `Bearer <access token>`.",
    );
  }

  login(apiSecret: string) {
    if (!sameSecret(apiSecret, this.apiSecret)) throw unauthorized("The API secret is not valid.");
    return this.issue();
  }

  refresh(token: string) {
    const current = this.refreshToken;
    if (!current || current.token !== token || current.expiresAt <= this.clock.now()) {
      throw unauthorized(
        "The refresh token is invalid, expired or already replaced; log in again.",
      );
    }
    return this.issue();
  }

  private issue(): LoginViaApiSecretResponse & RefreshTokenResponse {
    const now = this.clock.now();
    for (const [token, expiresAt] of this.accessTokens) {
      if (expiresAt <= now) this.accessTokens.delete(token);
    }
    const accessToken = randomBytes(32).toString("base64url");
    const refreshToken = randomBytes(32).toString("base64url");
    this.accessTokens.set(accessToken, now + ACCESS_TOKEN_TTL_MS);
    this.refreshToken = { token: refreshToken, expiresAt: now + REFRESH_TOKEN_TTL_MS };
    return { accessToken, refreshToken };
  }
}
