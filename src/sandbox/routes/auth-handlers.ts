import type { Authenticator } from "../http/auth.js";
import type { ApiHandlers } from "../http/portone-api.js";

export function authHandlers(auth: Authenticator): ApiHandlers {
  return {
    loginViaApiSecret: ({ body }) => auth.login(body.string("apiSecret")),
    refreshToken: ({ body }) => auth.refresh(body.string("refreshToken")),
  };
}
