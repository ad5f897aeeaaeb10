import type { DomainContext } from "../domain/context.js";
import { operationRoutes } from "../generated/operations.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { ApiCall, ApiHandlers } from "../http/portone-api.js";
import { createOrderCancelTransfer } from "./cancel-transfers.js";
import { isForTest } from "./common.js";
import { accountHolder, companyState } from "./lookups.js";
import {
  createPartner,
  createPartners,
  partnerFilterOptions,
  partnerMatches,
  partners,
  schedulePartners,
} from "./partners.js";
import {
  completePayout,
  getAccountTransfers,
  getBulkAccountTransfers,
  getBulkPayouts,
  getPayouts,
} from "./payouts.js";
import {
  additionalFeePolicies,
  additionalFeePolicyMatches,
  contractMatches,
  contracts,
  discountSharePolicies,
  discountSharePolicyFilterOptions,
  discountSharePolicyMatches,
} from "./policies.js";
import { createPolicy, type Policy, type PolicyKind } from "./policy-kind.js";
import { settingHandlers } from "./setting.js";
import {
  deletePartnerSettlements,
  getPartnerSettlements,
  settleDueTransfers,
} from "./settlements.js";
import { getTransferSummaries, transferSheet } from "./transfer-summaries.js";
import {
  createManualTransfer,
  createOrderTransfer,
  deleteTransfer,
  findTransfer,
  transferView,
} from "./transfers.js";
import {
  cancelSchedule,
  type Entity,
  type EntityKind,
  findEntity,
  getSchedule,
  listEntities,
  scheduleUpdate,
  setArchived,
  updateEntity,
} from "./versioned.js";

const id = (call: ApiCall) => call.params.id as string;

function archivedQuery(call: ApiCall): boolean {
  const value = call.query.isArchived;
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  throw invalidRequest(`isArchived must be true or false, not ${value}.`);
}

/** The member a response carries the entity in: `contract`, `discountSharePolicy`, ... */
function responseKey(kind: { apiName: string }): string {
  return kind.apiName.charAt(0).toLowerCase() + kind.apiName.slice(1);
}

/**
 * The eight operations every partner, contract and policy has, named as PortOne names them
 * after the kind: getPlatformContract, updatePlatformContract, archivePlatformContract,
 * recoverPlatformContract, getPlatformContractSchedule, scheduleContract, rescheduleContract,
 * cancelPlatformContractSchedule.
 */
function entityHandlers<T extends Entity>(ctx: DomainContext, kind: EntityKind<T>): ApiHandlers {
  const name = kind.apiName;
  const key = responseKey(kind);
  const scheduledKey = `scheduled${name}`;
  return {
    [`getPlatform${name}`]: (call) => findEntity(ctx, kind, id(call)).current,
    [`updatePlatform${name}`]: (call) => ({ [key]: updateEntity(ctx, kind, id(call), call.body) }),
    [`archivePlatform${name}`]: (call) => ({ [key]: setArchived(ctx, kind, id(call), true) }),
    [`recoverPlatform${name}`]: (call) => ({ [key]: setArchived(ctx, kind, id(call), false) }),
    [`getPlatform${name}Schedule`]: (call) => getSchedule(ctx, kind, id(call)),
    [`schedule${name}`]: (call) => ({
      [scheduledKey]: scheduleUpdate(ctx, kind, id(call), call.body, false),
    }),
    [`reschedule${name}`]: (call) => ({
      [scheduledKey]: scheduleUpdate(ctx, kind, id(call), call.body, true),
    }),
    [`cancelPlatform${name}Schedule`]: (call) => cancelSchedule(ctx, kind, id(call)),
  };
}

/** The entity operations plus createPlatform<Kind>, answering `{ <kind>: created }`. */
function policyHandlers<T extends Policy>(ctx: DomainContext, kind: PolicyKind<T>): ApiHandlers {
  return {
    ...entityHandlers(ctx, kind),
    [`createPlatform${kind.apiName}`]: (call) => ({
      [responseKey(kind)]: createPolicy(ctx, kind, call.body, isForTest(call)),
    }),
  };
}

function partnerHandlers(ctx: DomainContext): ApiHandlers {
  return {
    ...entityHandlers(ctx, partners),
    createPlatformPartner: (call) => ({ partner: createPartner(ctx, call.body, isForTest(call)) }),
    createPlatformPartners: (call) => ({
      partners: createPartners(ctx, call.body, isForTest(call)),
    }),
    getPlatformPartners: (call) => {
      const { items, page } = listEntities(
        ctx,
        partners,
        call.body,
        isForTest(call),
        partnerMatches,
      );
      return { items, page };
    },
    getPlatformPartnerFilterOptions: (call) =>
      partnerFilterOptions(ctx, isForTest(call), archivedQuery(call)),
    schedulePlatformPartners: (call) => schedulePartners(ctx, call.body, isForTest(call)),
  };
}

function contractAndPolicyHandlers(ctx: DomainContext): ApiHandlers {
  return {
    ...policyHandlers(ctx, contracts),
    getPlatformContracts: (call) =>
      listEntities(ctx, contracts, call.body, isForTest(call), contractMatches),
    ...policyHandlers(ctx, discountSharePolicies),
    getPlatformDiscountSharePolicies: (call) =>
      listEntities(
        ctx,
        discountSharePolicies,
        call.body,
        isForTest(call),
        discountSharePolicyMatches,
      ),
    getPlatformDiscountSharePolicyFilterOptions: (call) =>
      discountSharePolicyFilterOptions(ctx, isForTest(call), archivedQuery(call)),
    ...policyHandlers(ctx, additionalFeePolicies),
    getPlatformAdditionalFeePolicies: (call) =>
      listEntities(
        ctx,
        additionalFeePolicies,
        call.body,
        isForTest(call),
        additionalFeePolicyMatches,
      ),
  };
}

function transferHandlers(ctx: DomainContext): ApiHandlers {
  return {
    createPlatformOrderTransfer: (call) => ({
      transfer: createOrderTransfer(ctx, call.body, isForTest(call)),
    }),
    createPlatformOrderCancelTransfer: (call) => ({
      transfer: createOrderCancelTransfer(ctx, call.body, isForTest(call)),
    }),
    createPlatformManualTransfer: (call) => ({
      transfer: createManualTransfer(ctx, call.body, isForTest(call)),
    }),
    getPlatformTransfer: (call) => transferView(ctx, findTransfer(ctx, id(call))),
    deletePlatformTransfer: (call) => deleteTransfer(ctx, id(call)),
    getPlatformTransferSummaries: (call) => getTransferSummaries(ctx, call.body, isForTest(call)),
    downloadPlatformTransferSheet: (call) => {
      const sheet = transferSheet(ctx, call.body, isForTest(call));
      call.reply.type("text/csv; charset=utf-8");
      return sheet;
    },
  };
}

function settlementHandlers(ctx: DomainContext): ApiHandlers {
  return {
    getPlatformPartnerSettlements: (call) => getPartnerSettlements(ctx, call.body, isForTest(call)),
    deletePlatformPartnerSettlements: (call) => deletePartnerSettlements(ctx, call.body),
    completePlatformPayoutByPartnerSettlementIds: (call) =>
      completePayout(ctx, call.body, isForTest(call)),
    getPlatformPayouts: (call) => getPayouts(ctx, call.body, isForTest(call)),
    getPlatformBulkPayouts: (call) => getBulkPayouts(ctx, call.body, isForTest(call)),
    getPlatformAccountTransfers: (call) => getAccountTransfers(ctx, call.body, isForTest(call)),
    getPlatformBulkAccountTransfers: (call) =>
      getBulkAccountTransfers(ctx, call.body, isForTest(call)),
    getPlatformAccountHolder: (call) =>
      accountHolder(
        ctx,
        call.params.bank as string,
        call.params.accountNumber as string,
        call.query,
      ),
    getPlatformCompanyState: (call) =>
      companyState(ctx, call.params.businessRegistrationNumber as string),
  };
}

const vocabularies = new Map(
  operationRoutes.map((route) => [route.operationId, new Set(route.errorTypes)]),
);

/**
 * Wraps every platform operation in the two rules they all share. First the platform catches
 * up with the sandbox clock, once per call: scheduled updates of partners, contracts and
 * policies that came due apply, and transfers whose date came are settled, so whatever the
 * call reads or checks is as of now. Then its errors stay in its own vocabulary: a shared rule
 * (an account check inside a bulk schedule, say) can fail with a type another operation owns,
 * and an operation answers only its own `x-portone-error` types, so such a failure becomes
 * INVALID_REQUEST (every platform operation has it) with the same message.
 */
function asPlatformOperations(ctx: DomainContext, handlers: ApiHandlers): ApiHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([operationId, handler]) => [
      operationId,
      async (call: ApiCall) => {
        try {
          settleDueTransfers(ctx);
          return await handler(call);
        } catch (error) {
          const vocabulary = vocabularies.get(operationId);
          if (error instanceof PortOneApiError && vocabulary && !vocabulary.has(error.type)) {
            throw new PortOneApiError("INVALID_REQUEST", error.message);
          }
          throw error;
        }
      },
    ]),
  );
}

/** The platform (marketplace) operations the sandbox emulates statefully. */
export function platformHandlers(ctx: DomainContext): ApiHandlers {
  return asPlatformOperations(ctx, {
    ...partnerHandlers(ctx),
    ...contractAndPolicyHandlers(ctx),
    ...transferHandlers(ctx),
    ...settlementHandlers(ctx),
    ...settingHandlers(ctx),
  });
}
