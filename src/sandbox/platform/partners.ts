import type {
  PlatformAccount,
  PlatformContact,
  PlatformPartner,
  PlatformPartnerType,
  PlatformProperties,
} from "../../sdk/generated/platform/types.js";
import type { DomainContext } from "../domain/context.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { JsonObject } from "../state/records.js";
import { BANKS } from "./banks.js";
import {
  assertSettlementCurrency,
  contains,
  graphqlId,
  idsAndGraphqlIds,
  newPlatformId,
  nowIso,
  overlaps,
  stringList,
  within,
} from "./common.js";
import { type EntityKind, idAndNameMatch, registerKind, withNameAndMemo } from "./versioned.js";

const TAXATION_TYPES = ["NORMAL", "SIMPLE_TAX_INVOICE_ISSUER", "SIMPLE", "TAX_FREE"] as const;
const BRN = /^\d{10}$/;

function assertContract(ctx: DomainContext, contractId: string): void {
  if (!ctx.state.platform.contracts.has(contractId)) {
    throw new PortOneApiError("PLATFORM_CONTRACT_NOT_FOUND", `No contract with id ${contractId}.`);
  }
}

/**
 * A settlement account; with an `accountVerificationId` from getPlatformAccountHolder it is
 * VERIFIED, if the lookup was for this very account and holder and no other partner used it.
 */
function parseAccount(ctx: DomainContext, input: Input, partnerId: string): PlatformAccount {
  const bank = input.string("bank");
  if (!BANKS.has(bank)) throw invalidRequest(`account.bank ${bank} is not one of PortOne's banks.`);
  const currency = input.string("currency");
  assertSettlementCurrency(currency);
  const number = input.string("number");
  const holder = input.string("holder");
  const verificationId = input.optionalString("accountVerificationId");
  let status: PlatformAccount["status"] = "NOT_VERIFIED";
  if (verificationId !== undefined) {
    const verification = ctx.state.platform.accountVerifications.get(verificationId);
    if (!verification) {
      throw new PortOneApiError(
        "PLATFORM_ACCOUNT_VERIFICATION_NOT_FOUND",
        `No account holder lookup ${verificationId}.`,
      );
    }
    if (verification.usedBy !== undefined && verification.usedBy !== partnerId) {
      throw new PortOneApiError(
        "PLATFORM_ACCOUNT_VERIFICATION_ALREADY_USED",
        `Account verification ${verificationId} is already used by another partner.`,
      );
    }
    if (
      verification.bank !== bank ||
      verification.accountNumber !== number ||
      verification.holderName !== holder
    ) {
      throw new PortOneApiError(
        "PLATFORM_ACCOUNT_VERIFICATION_FAILED",
        "The account does not match the holder lookup it cites (bank, number and holder must be the looked-up ones).",
      );
    }
    verification.usedBy = partnerId;
    status = "VERIFIED";
  }
  return { bank, currency, number, holder, status };
}

function parseContact(input: Input, base?: PlatformContact): PlatformContact {
  const name = base ? (input.optionalString("name") ?? base.name) : input.string("name");
  const email = base ? (input.optionalString("email") ?? base.email) : input.string("email");
  const phoneNumber = input.optionalString("phoneNumber") ?? base?.phoneNumber;
  return { name, ...(phoneNumber !== undefined ? { phoneNumber } : {}), email };
}

function businessType(
  ctx: DomainContext,
  input: Input,
  partnerId: string,
  base: Extract<PlatformPartnerType, { type: "BUSINESS" }> | undefined,
  changingType: boolean,
): PlatformPartnerType {
  const pick = (field: string) =>
    input.optionalString(field) ?? (base?.[field as keyof typeof base] as string | undefined);
  const companyName = pick("companyName");
  const brn = pick("businessRegistrationNumber");
  const representativeName = pick("representativeName");
  if (!companyName || !brn || !representativeName) {
    throw new PortOneApiError(
      changingType ? "PLATFORM_INSUFFICIENT_DATA_TO_CHANGE_PARTNER_TYPE" : "INVALID_REQUEST",
      "A business partner needs companyName, businessRegistrationNumber and representativeName.",
    );
  }
  if (!BRN.test(brn)) throw invalidRequest("businessRegistrationNumber must be 10 digits.");
  let businessStatus =
    base?.businessRegistrationNumber === brn ? base.businessStatus : "NOT_VERIFIED";
  let taxationType = input.oneOf("taxationType", TAXATION_TYPES) ?? base?.taxationType;
  const verificationId = input.optionalString("companyVerificationId");
  if (verificationId !== undefined) {
    const verification = ctx.state.platform.companyVerifications.get(verificationId);
    if (!verification || verification.businessRegistrationNumber !== brn) {
      throw invalidRequest(
        `companyVerificationId ${verificationId} is not a company state lookup of ${brn}.`,
      );
    }
    if (verification.usedBy !== undefined && verification.usedBy !== partnerId) {
      throw new PortOneApiError(
        "PLATFORM_COMPANY_VERIFICATION_ALREADY_USED",
        `Company verification ${verificationId} is already used by another partner.`,
      );
    }
    verification.usedBy = partnerId;
    businessStatus = verification.businessStatus;
    taxationType ??= verification.taxationType as (typeof TAXATION_TYPES)[number];
  }
  const optional = (field: string) => {
    const value = pick(field);
    return value !== undefined ? { [field]: value } : {};
  };
  return {
    type: "BUSINESS",
    companyName,
    taxationType: taxationType ?? "NORMAL",
    businessStatus,
    businessRegistrationNumber: brn,
    representativeName,
    ...optional("companyAddress"),
    ...optional("businessType"),
    ...optional("businessClass"),
    memberCompanyConnectionStatus: base?.memberCompanyConnectionStatus ?? "NOT_CONNECTED",
  };
}

/** `type` input: exactly one of business, whtPayer, nonWhtPayer; merged into `base` if same. */
function parseType(
  ctx: DomainContext,
  input: Input,
  partnerId: string,
  base?: PlatformPartnerType,
): PlatformPartnerType {
  const given = ["business", "whtPayer", "nonWhtPayer"].filter((key) => input.has(key));
  if (given.length !== 1)
    throw invalidRequest("type needs exactly one of business, whtPayer, nonWhtPayer.");
  if (input.has("business")) {
    const same =
      base?.type === "BUSINESS"
        ? (base as Extract<PlatformPartnerType, { type: "BUSINESS" }>)
        : undefined;
    const changingType = base !== undefined && same === undefined;
    return businessType(ctx, input.object("business"), partnerId, same, changingType);
  }
  const kind = input.has("whtPayer") ? "WHT_PAYER" : "NON_WHT_PAYER";
  const details = input.object(input.has("whtPayer") ? "whtPayer" : "nonWhtPayer");
  const birthdate =
    details.optionalString("birthdate") ??
    (base?.type === kind ? (base as { birthdate?: string }).birthdate : undefined);
  return { type: kind, ...(birthdate !== undefined ? { birthdate } : {}) } as PlatformPartnerType;
}

function parseProperties(input: Input, field: string): PlatformProperties | undefined {
  const value = input.optionalObject(field);
  if (!value) return undefined;
  const properties: PlatformProperties = {};
  for (const [key, entry] of Object.entries(value.toJSON())) {
    const text = Input.of(entry, `${field}.${key}`).string("string");
    properties[key] = { string: text };
  }
  return properties;
}

/** Builds a partner from a createPlatformPartner body (also each item of the batch). */
export function newPartner(ctx: DomainContext, body: Input, test: boolean): PlatformPartner {
  const id = body.optionalString("id") ?? newPlatformId(ctx.clock.now());
  const defaultContractId = body.string("defaultContractId");
  assertContract(ctx, defaultContractId);
  const memo = body.optionalString("memo");
  return {
    id,
    graphqlId: graphqlId("PlatformPartner", id),
    name: body.string("name"),
    contact: parseContact(body.object("contact")),
    account: parseAccount(ctx, body.object("account"), id),
    status: "APPROVED",
    defaultContractId,
    ...(memo !== undefined ? { memo } : {}),
    tags: stringList(body, "tags") ?? [],
    type: parseType(ctx, body.object("type"), id),
    isArchived: false,
    appliedAt: nowIso(ctx),
    userDefinedProperties: parseProperties(body, "userDefinedProperties") ?? {},
    isForTest: test,
  };
}

export function createPartner(ctx: DomainContext, body: Input, test: boolean): PlatformPartner {
  const id = body.optionalString("id");
  if (id !== undefined && ctx.state.platform.partners.has(id)) {
    throw new PortOneApiError(
      "PLATFORM_PARTNER_ID_ALREADY_EXISTS",
      `A partner with id ${id} already exists.`,
    );
  }
  const partner = newPartner(ctx, body, test);
  ctx.state.platform.partners.set(partner.id, { current: partner });
  ctx.state.changed();
  return partner;
}

/** createPlatformPartners: all or nothing, with the batch's own error types. */
export function createPartners(ctx: DomainContext, body: Input, test: boolean): PlatformPartner[] {
  const items = body.optionalArray("partners");
  if (!items || items.length === 0)
    throw invalidRequest("partners must list at least one partner.");
  const inputs = items.map((item, index) => Input.of(item, `partners[${index}]`));
  const ids = inputs.map((input) => input.optionalString("id")).filter((id) => id !== undefined);
  const duplicated = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
  const idError = (type: string, found: string[], message: string) =>
    new PortOneApiError(type, message, idsAndGraphqlIds("PlatformPartner", found));
  if (duplicated.length > 0) {
    throw idError(
      "PLATFORM_PARTNER_IDS_DUPLICATED",
      duplicated,
      "The batch names some partner ids twice.",
    );
  }
  const taken = ids.filter((id) => ctx.state.platform.partners.has(id));
  if (taken.length > 0) {
    throw idError("PLATFORM_PARTNER_IDS_ALREADY_EXISTS", taken, "Some partner ids already exist.");
  }
  const missing = [
    ...new Set(
      inputs
        .map((input) => input.optionalString("defaultContractId"))
        .filter((id): id is string => id !== undefined && !ctx.state.platform.contracts.has(id)),
    ),
  ];
  if (missing.length > 0) {
    throw new PortOneApiError(
      "PLATFORM_CONTRACTS_NOT_FOUND",
      "Some default contracts do not exist.",
      idsAndGraphqlIds("PlatformContract", missing),
    );
  }
  const partners = inputs.map((input) => newPartner(ctx, input, test));
  for (const partner of partners) ctx.state.platform.partners.set(partner.id, { current: partner });
  ctx.state.changed();
  return partners;
}

export const partners: EntityKind<PlatformPartner> = registerKind<PlatformPartner>({
  label: "partner",
  apiName: "Partner",
  store: (state) => state.partners,
  notFound: "PLATFORM_PARTNER_NOT_FOUND",
  archived: "PLATFORM_ARCHIVED_PARTNER",
  scheduleAlreadyExists: "PLATFORM_PARTNER_SCHEDULE_ALREADY_EXISTS",
  cannotArchiveScheduled: "PLATFORM_CANNOT_ARCHIVE_SCHEDULED_PARTNER",
  applyUpdate(ctx, current, update) {
    const next = withNameAndMemo(current, update);
    const contact = update.optionalObject("contact");
    if (contact) next.contact = parseContact(contact, current.contact);
    const account = update.optionalObject("account");
    if (account) next.account = parseAccount(ctx, account, current.id);
    const contractId = update.optionalString("defaultContractId");
    if (contractId !== undefined) {
      assertContract(ctx, contractId);
      next.defaultContractId = contractId;
    }
    const tags = stringList(update, "tags");
    if (tags !== undefined) next.tags = tags;
    const type = update.optionalObject("type");
    if (type) next.type = parseType(ctx, type, current.id, current.type);
    const properties = parseProperties(update, "userDefinedProperties");
    if (properties !== undefined) next.userDefinedProperties = properties;
    return next;
  },
});

const field = (type: PlatformPartnerType, name: string) =>
  (type as Record<string, unknown>)[name] as string | undefined;

export function partnerMatches(partner: PlatformPartner, filter: Input | undefined): boolean {
  if (!filter) return true;
  const list = (name: string) => stringList(filter, name);
  const keyword = filter.optionalObject("keyword");
  const tags = list("tags");
  return (
    overlaps(partner.tags, tags) &&
    within(partner.account.bank, list("banks")) &&
    within(partner.account.currency, list("accountCurrencies")) &&
    within(partner.id, list("ids")) &&
    within(partner.defaultContractId, list("contractIds")) &&
    within(partner.account.status, list("accountStatuses")) &&
    within(field(partner.type, "businessStatus") ?? "", list("businessStatuses")) &&
    within(partner.type.type as string, list("types")) &&
    within(field(partner.type, "taxationType") ?? "", list("taxationTypes")) &&
    within(
      field(partner.type, "memberCompanyConnectionStatus") ?? "",
      list("memberCompanyConnectionStatuses"),
    ) &&
    idAndNameMatch(partner, keyword) &&
    contains(partner.contact.email, keyword?.optionalString("email")) &&
    contains(
      field(partner.type, "businessRegistrationNumber"),
      keyword?.optionalString("businessRegistrationNumber"),
    ) &&
    contains(partner.defaultContractId, keyword?.optionalString("defaultContractId")) &&
    contains(partner.memo, keyword?.optionalString("memo")) &&
    contains(partner.account.number, keyword?.optionalString("accountNumber")) &&
    contains(partner.account.holder, keyword?.optionalString("accountHolder"))
  );
}

function selectedPartners(ctx: DomainContext, filter: Input | undefined, test: boolean) {
  const archived = filter?.optionalBoolean("isArchived");
  return [...ctx.state.platform.partners.values()].filter(
    ({ current }) =>
      current.isForTest === test &&
      (archived === undefined || current.isArchived === archived) &&
      partnerMatches(current, filter),
  );
}

/** Tags and default contracts of the (archived or live) partners, for filter drop-downs. */
export function partnerFilterOptions(ctx: DomainContext, test: boolean, isArchived: boolean) {
  const tags = new Set<string>();
  const contractIds = new Set<string>();
  for (const { current } of ctx.state.platform.partners.values()) {
    if (current.isForTest !== test || current.isArchived !== isArchived) continue;
    for (const tag of current.tags) tags.add(tag);
    contractIds.add(current.defaultContractId);
  }
  const contractSummary = [...contractIds].flatMap((id) => {
    const contract = ctx.state.platform.contracts.get(id)?.current;
    return contract ? [{ id: contract.id, name: contract.name }] : [];
  });
  return { tags: [...tags].sort(), contractSummary };
}

/** schedulePlatformPartners: one update for every partner the filter selects. */
export function schedulePartners(
  ctx: DomainContext,
  body: Input,
  test: boolean,
): Record<string, never> {
  const filter = body.optionalObject("filter");
  const update = body.object("update");
  const appliedAt = body.optionalDate("appliedAt");
  if (appliedAt === undefined) throw invalidRequest("appliedAt is required.");
  if (appliedAt <= ctx.clock.now())
    throw invalidRequest("appliedAt must be in the future (by the sandbox clock).");
  const selected = selectedPartners(ctx, filter, test);
  const ids = (entries: typeof selected) => entries.map(({ current }) => current.id);
  const archived = selected.filter(({ current }) => current.isArchived);
  if (archived.length > 0) {
    throw new PortOneApiError(
      "PLATFORM_ARCHIVED_PARTNERS_CANNOT_BE_SCHEDULED",
      `Archived partners cannot be scheduled: ${ids(archived).join(", ")}.`,
    );
  }
  const scheduled = selected.filter((entry) => entry.pending);
  if (scheduled.length > 0) {
    throw new PortOneApiError(
      "PLATFORM_PARTNER_SCHEDULES_ALREADY_EXIST",
      "Some partners already have a scheduled update.",
      idsAndGraphqlIds("PlatformPartner", ids(scheduled)),
    );
  }
  const contractId = update.optionalString("defaultContractId");
  if (contractId !== undefined) assertContract(ctx, contractId);
  // Validate against every partner first, so a bad update schedules nothing.
  for (const entry of selected) partners.applyUpdate(ctx, entry.current, update);
  const pending = {
    update: update.toJSON() as JsonObject,
    appliedAt: new Date(appliedAt).toISOString(),
  };
  for (const entry of selected) entry.pending = { ...pending };
  ctx.state.changed();
  return {};
}
