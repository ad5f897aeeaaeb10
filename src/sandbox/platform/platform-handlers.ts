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
  createAdditionalFeePolicy,
  createContract,
  createDiscountSharePolicy,
  discountSharePolicies,
  discountSharePolicyFilterOptions,
  discountSharePolicyMatches,
} from "./policies.js";
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

/**
 * The ten operations every partner, contract and policy has: get, update, archive, recover,
 * and the four schedule operations, named as PortOne names them for that kind.
 */
function entityHandlers<
  T extends { id: string; isArchived: boolean; appliedAt: string; isForTest: boolean },
>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  key: string,
  names: {
    get: string;
    update: string;
    archive: string;
    recover: string;
    getSchedule: string;
    schedule: string;
    reschedule: string;
    cancelSchedule: string;
  },
  scheduledKey: string,
): ApiHandlers {
  return {
    [names.get]: (call) => findEntity(ctx, kind, id(call)).current,
    [names.update]: (call) => ({ [key]: updateEntity(ctx, kind, id(call), call.body) }),
    [names.archive]: (call) => ({ [key]: setArchived(ctx, kind, id(call), true) }),
    [names.recover]: (call) => ({ [key]: setArchived(ctx, kind, id(call), false) }),
    [names.getSchedule]: (call) => getSchedule(ctx, kind, id(call)),
    [names.schedule]: (call) => ({
      [scheduledKey]: scheduleUpdate(ctx, kind, id(call), call.body, false),
    }),
    [names.reschedule]: (call) => ({
      [scheduledKey]: scheduleUpdate(ctx, kind, id(call), call.body, true),
    }),
    [names.cancelSchedule]: (call) => cancelSchedule(ctx, kind, id(call)),
  };
}

function partnerHandlers(ctx: DomainContext): ApiHandlers {
  return {
    ...entityHandlers(
      ctx,
      partners,
      "partner",
      {
        get: "getPlatformPartner",
        update: "updatePlatformPartner",
        archive: "archivePlatformPartner",
        recover: "recoverPlatformPartner",
        getSchedule: "getPlatformPartnerSchedule",
        schedule: "schedulePartner",
        reschedule: "reschedulePartner",
        cancelSchedule: "cancelPlatformPartnerSchedule",
      },
      "scheduledPartner",
    ),
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

function policyHandlers(ctx: DomainContext): ApiHandlers {
  return {
    ...entityHandlers(
      ctx,
      contracts,
      "contract",
      {
        get: "getPlatformContract",
        update: "updatePlatformContract",
        archive: "archivePlatformContract",
        recover: "recoverPlatformContract",
        getSchedule: "getPlatformContractSchedule",
        schedule: "scheduleContract",
        reschedule: "rescheduleContract",
        cancelSchedule: "cancelPlatformContractSchedule",
      },
      "scheduledContract",
    ),
    createPlatformContract: (call) => ({
      contract: createContract(ctx, call.body, isForTest(call)),
    }),
    getPlatformContracts: (call) =>
      listEntities(ctx, contracts, call.body, isForTest(call), contractMatches),
    ...entityHandlers(
      ctx,
      discountSharePolicies,
      "discountSharePolicy",
      {
        get: "getPlatformDiscountSharePolicy",
        update: "updatePlatformDiscountSharePolicy",
        archive: "archivePlatformDiscountSharePolicy",
        recover: "recoverPlatformDiscountSharePolicy",
        getSchedule: "getPlatformDiscountSharePolicySchedule",
        schedule: "scheduleDiscountSharePolicy",
        reschedule: "rescheduleDiscountSharePolicy",
        cancelSchedule: "cancelPlatformDiscountSharePolicySchedule",
      },
      "scheduledDiscountSharePolicy",
    ),
    createPlatformDiscountSharePolicy: (call) => ({
      discountSharePolicy: createDiscountSharePolicy(ctx, call.body, isForTest(call)),
    }),
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
    ...entityHandlers(
      ctx,
      additionalFeePolicies,
      "additionalFeePolicy",
      {
        get: "getPlatformAdditionalFeePolicy",
        update: "updatePlatformAdditionalFeePolicy",
        archive: "archivePlatformAdditionalFeePolicy",
        recover: "recoverPlatformAdditionalFeePolicy",
        getSchedule: "getPlatformAdditionalFeePolicySchedule",
        schedule: "scheduleAdditionalFeePolicy",
        reschedule: "rescheduleAdditionalFeePolicy",
        cancelSchedule: "cancelPlatformAdditionalFeePolicySchedule",
      },
      "scheduledAdditionalFeePolicy",
    ),
    createPlatformAdditionalFeePolicy: (call) => ({
      additionalFeePolicy: createAdditionalFeePolicy(ctx, call.body, isForTest(call)),
    }),
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
    getPlatformTransfer: (call) => {
      settleDueTransfers(ctx);
      return transferView(ctx, findTransfer(ctx, id(call)));
    },
    deletePlatformTransfer: (call) => {
      settleDueTransfers(ctx);
      return deleteTransfer(ctx, id(call));
    },
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
 * Shared rules (an account check inside a bulk schedule, say) can fail with a type another
 * operation owns; an operation answers only its own `x-portone-error` types, so such a failure
 * becomes INVALID_REQUEST (every platform operation has it) with the same message.
 */
function withinVocabulary(handlers: ApiHandlers): ApiHandlers {
  return Object.fromEntries(
    Object.entries(handlers).map(([operationId, handler]) => [
      operationId,
      async (call: ApiCall) => {
        try {
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
  return withinVocabulary({
    ...partnerHandlers(ctx),
    ...policyHandlers(ctx),
    ...transferHandlers(ctx),
    ...settlementHandlers(ctx),
    ...settingHandlers(ctx),
  });
}
