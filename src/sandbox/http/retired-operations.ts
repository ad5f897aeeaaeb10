import type { OperationRoute } from "../generated/operations.js";

/**
 * Partner member-company operations that `@portone/server-sdk` 0.19 still calls but PortOne's
 * current schema no longer has. The sandbox answers them in PortOne's vocabulary (`FORBIDDEN`,
 * which each of their error unions in 0.19 has) rather than with an unknown route's 404.
 */
export const retiredOperations: readonly OperationRoute[] = [
  ["connectPartnerMemberCompany", "/platform/partners/member-company-connect/:id"],
  ["connectBulkPartnerMemberCompany", "/platform/partners/member-company-connect"],
  ["disconnectPartnerMemberCompany", "/platform/partners/member-company-disconnect/:id"],
  ["disconnectBulkPartnerMemberCompany", "/platform/partners/member-company-disconnect"],
].map(([operationId, path]) => ({
  operationId: operationId as string,
  method: "POST",
  path: path as string,
  category: "platform.partner",
  requiresAuth: true,
  errorTypes: ["FORBIDDEN", "INVALID_REQUEST", "UNAUTHORIZED"],
}));
