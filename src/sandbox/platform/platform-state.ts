import type { PlatformWithdrawalAccountTransfer } from "../../sdk/generated/platform/accountTransfer/types.js";
import type { PlatformBulkAccountTransfer } from "../../sdk/generated/platform/bulkAccountTransfer/types.js";
import type { PlatformBulkPayout } from "../../sdk/generated/platform/bulkPayout/types.js";
import type { PlatformPayout } from "../../sdk/generated/platform/payout/types.js";
import type {
  PlatformManualTransfer,
  PlatformOrderCancelTransfer,
  PlatformOrderTransfer,
} from "../../sdk/generated/platform/transfer/types.js";
import type {
  PlatformAdditionalFeePolicy,
  PlatformContract,
  PlatformDiscountSharePolicy,
  PlatformPartner,
  PlatformSetting,
} from "../../sdk/generated/platform/types.js";
import type { JsonObject } from "../state/records.js";

/** An update waiting for its time (`schedule*` operations); replayed on the then-current entity. */
export interface PendingUpdate {
  update: JsonObject;
  appliedAt: string;
}

/** A partner, contract or policy: what the API shows now, and at most one scheduled update. */
export interface Versioned<T> {
  current: T;
  pending?: PendingUpdate;
}

export type PlatformTransferView =
  | PlatformOrderTransfer
  | PlatformOrderCancelTransfer
  | PlatformManualTransfer;

/** A transfer in its API shape, and what the sandbox needs that the shape does not show. */
export interface TransferRecord {
  transfer: PlatformTransferView;
  /** Order-cancel transfers: the order transfer they take back from. */
  originalId?: string;
  partnerSettlementId?: string;
}

/** Payouts, bulk payouts and bulk account transfers have no `isForTest` of their own. */
export interface ModeRecord<T> {
  view: T;
  isForTest: boolean;
}

export type SettlementStatus = "PAYOUT_PREPARED" | "PAID_OUT";

/** A partner settlement (정산내역): transfers of one partner, type, contract, date and currency. */
export interface PartnerSettlementRecord {
  id: string;
  type: PlatformTransferView["type"];
  partnerId: string;
  contractId?: string;
  settlementDate: string;
  settlementCurrency: string;
  isForTest: boolean;
  status: SettlementStatus;
  statusUpdatedAt: string;
  transferIds: string[];
  payoutId?: string;
}

/** A bank account a partner's holder lookup verified (getPlatformAccountHolder). */
export interface AccountVerification {
  id: string;
  bank: string;
  accountNumber: string;
  holderName: string;
  usedBy?: string;
}

/** A company state lookup (getPlatformCompanyState) that a partner may cite. */
export interface CompanyVerification {
  id: string;
  businessRegistrationNumber: string;
  businessStatus: string;
  taxationType: string;
  usedBy?: string;
}

export interface PlatformSnapshot {
  partners: Versioned<PlatformPartner>[];
  contracts: Versioned<PlatformContract>[];
  discountSharePolicies: Versioned<PlatformDiscountSharePolicy>[];
  additionalFeePolicies: Versioned<PlatformAdditionalFeePolicy>[];
  setting?: PlatformSetting;
  transfers: TransferRecord[];
  partnerSettlements: PartnerSettlementRecord[];
  payouts: ModeRecord<PlatformPayout>[];
  bulkPayouts: ModeRecord<PlatformBulkPayout>[];
  accountTransfers: PlatformWithdrawalAccountTransfer[];
  bulkAccountTransfers: ModeRecord<PlatformBulkAccountTransfer>[];
  accountVerifications: AccountVerification[];
  companyVerifications: CompanyVerification[];
}

const byId = <T extends { id: string }>(items: T[] | undefined) =>
  new Map((items ?? []).map((item) => [item.id, item]));
const byView = <T extends { id: string }>(items: ModeRecord<T>[] | undefined) =>
  new Map((items ?? []).map((item) => [item.view.id, item]));
const byCurrentId = <T extends { id: string }>(items: Versioned<T>[] | undefined) =>
  new Map((items ?? []).map((item) => [item.current.id, item]));

export function defaultPlatformSetting(): PlatformSetting {
  return {
    supportsMultipleOrderTransfersPerPartner: false,
    adjustSettlementDateAfterHolidayIfEarlier: false,
    deductWht: false,
    settlementAmountType: "GROSS",
    isForTest: false,
    manualSettlementPerTransfer: false,
  };
}

/** The marketplace (파트너 정산) data of the sandbox, in the schema's shapes. */
export class PlatformState {
  readonly partners: Map<string, Versioned<PlatformPartner>>;
  readonly contracts: Map<string, Versioned<PlatformContract>>;
  readonly discountSharePolicies: Map<string, Versioned<PlatformDiscountSharePolicy>>;
  readonly additionalFeePolicies: Map<string, Versioned<PlatformAdditionalFeePolicy>>;
  setting: PlatformSetting;
  readonly transfers: Map<string, TransferRecord>;
  readonly partnerSettlements: Map<string, PartnerSettlementRecord>;
  readonly payouts: Map<string, ModeRecord<PlatformPayout>>;
  readonly bulkPayouts: Map<string, ModeRecord<PlatformBulkPayout>>;
  readonly accountTransfers: Map<string, PlatformWithdrawalAccountTransfer>;
  readonly bulkAccountTransfers: Map<string, ModeRecord<PlatformBulkAccountTransfer>>;
  readonly accountVerifications: Map<string, AccountVerification>;
  readonly companyVerifications: Map<string, CompanyVerification>;

  constructor(snapshot?: Partial<PlatformSnapshot>) {
    this.partners = byCurrentId(snapshot?.partners);
    this.contracts = byCurrentId(snapshot?.contracts);
    this.discountSharePolicies = byCurrentId(snapshot?.discountSharePolicies);
    this.additionalFeePolicies = byCurrentId(snapshot?.additionalFeePolicies);
    this.setting = snapshot?.setting ?? defaultPlatformSetting();
    this.transfers = new Map((snapshot?.transfers ?? []).map((r) => [r.transfer.id, r]));
    this.partnerSettlements = byId(snapshot?.partnerSettlements);
    this.payouts = byView(snapshot?.payouts);
    this.bulkPayouts = byView(snapshot?.bulkPayouts);
    this.accountTransfers = byId(snapshot?.accountTransfers);
    this.bulkAccountTransfers = byView(snapshot?.bulkAccountTransfers);
    this.accountVerifications = byId(snapshot?.accountVerifications);
    this.companyVerifications = byId(snapshot?.companyVerifications);
  }

  snapshot(): PlatformSnapshot {
    return {
      partners: [...this.partners.values()],
      contracts: [...this.contracts.values()],
      discountSharePolicies: [...this.discountSharePolicies.values()],
      additionalFeePolicies: [...this.additionalFeePolicies.values()],
      setting: this.setting,
      transfers: [...this.transfers.values()],
      partnerSettlements: [...this.partnerSettlements.values()],
      payouts: [...this.payouts.values()],
      bulkPayouts: [...this.bulkPayouts.values()],
      accountTransfers: [...this.accountTransfers.values()],
      bulkAccountTransfers: [...this.bulkAccountTransfers.values()],
      accountVerifications: [...this.accountVerifications.values()],
      companyVerifications: [...this.companyVerifications.values()],
    };
  }
}
