import { createHash } from "node:crypto";
import type { IdentityVerification } from "../../sdk/generated/identityVerification/types.js";
import { isoAt } from "../clock.js";
import { PortOneApiError } from "../http/api-error.js";
import type { IdentityVerificationRecord, JsonObject } from "../state/records.js";
import { channelFor, selectedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { compact } from "./customers.js";
import { assertStore, newPgTxId } from "./transactions.js";

/** The person the customer proves to be in the verification window. */
export interface VerifiedPerson {
  name: string;
  phoneNumber?: string;
  /** yyyy-MM-dd */
  birthDate?: string;
  gender?: "MALE" | "FEMALE";
  operator?: string;
  isForeigner?: boolean;
}

export interface IdentityVerificationStart {
  identityVerificationId: string;
  /** The browser SDK's `customer`, kept as the record's `requestedCustomer`. */
  customer?: JsonObject;
  customData?: string;
  /** The store's default channel when absent. */
  channelKey?: string;
}

/** Opens (or reopens, after a failure) the record a requestIdentityVerification call works on. */
function openRecord(ctx: DomainContext, start: IdentityVerificationStart) {
  const existing = ctx.state.identityVerifications.get(start.identityVerificationId);
  if (existing?.status === "VERIFIED") {
    throw new PortOneApiError(
      "IDENTITY_VERIFICATION_ALREADY_VERIFIED",
      `Identity verification ${start.identityVerificationId} is already verified.`,
    );
  }
  const now = isoAt(ctx.clock);
  const customer = start.customer ?? {};
  const record: IdentityVerificationRecord = {
    status: "READY",
    id: start.identityVerificationId,
    storeId: ctx.state.credentials.storeId,
    channel: selectedChannel(channelFor(ctx.state, start.channelKey)),
    requestedCustomer: compact({
      id: typeof customer.customerId === "string" ? customer.customerId : undefined,
      name: typeof customer.fullName === "string" ? customer.fullName : undefined,
      phoneNumber: typeof customer.phoneNumber === "string" ? customer.phoneNumber : undefined,
    }),
    requestedAt: existing?.requestedAt ?? now,
    updatedAt: now,
    statusChangedAt: now,
  };
  if (start.customData !== undefined) record.customData = start.customData;
  return record;
}

/** CI and DI are per-person keys; derived from the person so the same person keeps them. */
function personKey(person: VerifiedPerson, salt: string): string {
  return createHash("sha256")
    .update(`${salt}|${person.name}|${person.birthDate ?? ""}|${person.phoneNumber ?? ""}`)
    .digest("base64");
}

/** The customer proved to be `person`: the record turns VERIFIED and the webhook goes out. */
export function verifyIdentity(
  ctx: DomainContext,
  start: IdentityVerificationStart,
  person: VerifiedPerson,
): IdentityVerificationRecord {
  const record = openRecord(ctx, start);
  record.status = "VERIFIED";
  record.verifiedAt = record.statusChangedAt;
  record.pgTxId = newPgTxId();
  record.verifiedCustomer = compact({
    id: record.requestedCustomer.id as string | undefined,
    name: person.name,
    operator: person.operator,
    phoneNumber: person.phoneNumber,
    birthDate: person.birthDate,
    gender: person.gender,
    isForeigner: person.isForeigner ?? false,
    ci: personKey(person, "ci"),
    di: personKey(person, `di|${record.storeId}`),
  });
  record.pgRawResponse = JSON.stringify({ result: "VERIFIED", pgTxId: record.pgTxId });
  return save(ctx, record, "IdentityVerification.Verified");
}

/** The verification did not succeed (the PG refused it, or the customer closed the window). */
export function failIdentityVerification(
  ctx: DomainContext,
  start: IdentityVerificationStart,
  failure: { reason: string; pgCode: string },
): IdentityVerificationRecord {
  const record = openRecord(ctx, start);
  record.status = "FAILED";
  record.failure = { reason: failure.reason, pgCode: failure.pgCode, pgMessage: failure.reason };
  return save(ctx, record, "IdentityVerification.Failed");
}

/**
 * PortOne's published webhook list names no identity verification event; the sandbox sends
 * these so a backend can react without polling. Receivers that follow PortOne's rule (ignore
 * what they do not know) are unaffected.
 */
function save(
  ctx: DomainContext,
  record: IdentityVerificationRecord,
  eventType: string,
): IdentityVerificationRecord {
  ctx.state.identityVerifications.set(record.id, record);
  ctx.events.publish({
    type: eventType,
    data: { storeId: record.storeId, identityVerificationId: record.id },
  });
  ctx.state.changed();
  return record;
}

export function identityVerificationView(record: IdentityVerificationRecord): IdentityVerification {
  const common = {
    id: record.id,
    channel: record.channel,
    ...(record.customData !== undefined ? { customData: record.customData } : {}),
    requestedAt: record.requestedAt,
    updatedAt: record.updatedAt,
    statusChangedAt: record.statusChangedAt,
    version: "V2",
  };
  switch (record.status) {
    case "VERIFIED":
      return {
        status: "VERIFIED",
        ...common,
        verifiedCustomer: record.verifiedCustomer as { name: string },
        verifiedAt: record.verifiedAt as string,
        pgTxId: record.pgTxId as string,
        pgRawResponse: record.pgRawResponse ?? "{}",
      };
    case "FAILED":
      return {
        status: "FAILED",
        ...common,
        requestedCustomer: record.requestedCustomer,
        failure: record.failure ?? {},
      };
    default:
      return { status: "READY", ...common, requestedCustomer: record.requestedCustomer };
  }
}

export function getIdentityVerification(
  ctx: DomainContext,
  identityVerificationId: string,
  storeId: unknown,
): IdentityVerification {
  assertStore(ctx, storeId);
  const record = ctx.state.identityVerifications.get(identityVerificationId);
  if (!record) {
    throw new PortOneApiError(
      "IDENTITY_VERIFICATION_NOT_FOUND",
      `No identity verification with id ${identityVerificationId}.`,
    );
  }
  return identityVerificationView(record);
}
