import type { DomainContext } from "../domain/context.js";
import {
  confirmIdentityVerification,
  getIdentityVerification,
  getIdentityVerifications,
  resendIdentityVerification,
  sendIdentityVerification,
} from "../domain/identity-verifications.js";
import type { ApiHandlers } from "../http/portone-api.js";

/** Identity verifications: the browser's window, or the API's send / confirm (SMS code). */
export function identityHandlers(ctx: DomainContext): ApiHandlers {
  return {
    getIdentityVerification: ({ params, query }) =>
      getIdentityVerification(ctx, params.identityVerificationId as string, query.storeId),
    getIdentityVerifications: ({ body }) => getIdentityVerifications(ctx, body),
    sendIdentityVerification: ({ params, body }) =>
      sendIdentityVerification(ctx, params.identityVerificationId as string, body),
    resendIdentityVerification: ({ params, query }) =>
      resendIdentityVerification(ctx, params.identityVerificationId as string, query.storeId),
    confirmIdentityVerification: ({ params, body }) =>
      confirmIdentityVerification(ctx, params.identityVerificationId as string, body),
  };
}
