import type { DomainContext } from "../domain/context.js";
import { getIdentityVerification } from "../domain/identity-verifications.js";
import type { ApiHandlers } from "../http/portone-api.js";

/** Identity verifications, which the browser's requestIdentityVerification creates. */
export function identityHandlers(ctx: DomainContext): ApiHandlers {
  return {
    getIdentityVerification: ({ params, query }) =>
      getIdentityVerification(ctx, params.identityVerificationId as string, query.storeId),
  };
}
