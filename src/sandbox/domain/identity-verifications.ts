import { createHash, randomInt } from "node:crypto";
import type {
  ConfirmIdentityVerificationResponse,
  GetIdentityVerificationsResponse,
  IdentityVerification,
} from "../../sdk/generated/identityVerification/types.js";
import { isoAt } from "../clock.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import type { IdentityVerificationRecord, JsonObject } from "../state/records.js";
import { channelFor, selectedChannel } from "./channels.js";
import type { DomainContext } from "./context.js";
import { compact } from "./customers.js";
import { compareBy, paginate } from "./pages.js";
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
  delete record.otp;
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

function findRecord(ctx: DomainContext, identityVerificationId: string) {
  const record = ctx.state.identityVerifications.get(identityVerificationId);
  if (!record) {
    throw new PortOneApiError(
      "IDENTITY_VERIFICATION_NOT_FOUND",
      `No identity verification with id ${identityVerificationId}.`,
    );
  }
  return record;
}

export function getIdentityVerification(
  ctx: DomainContext,
  identityVerificationId: string,
  storeId: unknown,
): IdentityVerification {
  assertStore(ctx, storeId);
  return identityVerificationView(findRecord(ctx, identityVerificationId));
}

const IDENTITY_OPERATORS = ["SKT", "KT", "LGU", "SKT_MVNO", "KT_MVNO", "LGU_MVNO"] as const;

/** A 6-digit code, as the PG texts it; GET /sandbox/identity-verifications/:id/otp shows it. */
const newOtp = () => String(randomInt(0, 1_000_000)).padStart(6, "0");

/** `identityNumber` is the first 7 digits of a resident number: yyMMdd and the gender digit. */
function birthFromIdentityNumber(identityNumber: string | undefined) {
  if (identityNumber === undefined) return {};
  const match = /^(\d{2})(\d{2})(\d{2})([1-8])$/.exec(identityNumber);
  if (!match)
    throw invalidRequest("customer.identityNumber must be yyMMdd and one digit, 7 digits.");
  const [, yy, mm, dd, digit] = match as unknown as [string, string, string, string, string];
  const century = ["1", "2", "5", "6"].includes(digit) ? "19" : "20";
  const gender = Number(digit) % 2 === 1 ? ("MALE" as const) : ("FEMALE" as const);
  return { birthDate: `${century}${yy}-${mm}-${dd}`, gender, isForeigner: Number(digit) >= 5 };
}

/** sendIdentityVerification: the PG texts the customer a code (READY until confirmed). */
export function sendIdentityVerification(
  ctx: DomainContext,
  identityVerificationId: string,
  body: Input,
): Record<string, never> {
  assertStore(ctx, body.raw("storeId"));
  const channel = channelFor(ctx.state, body.string("channelKey"));
  const customer = body.object("customer");
  const person = {
    name: customer.string("name"),
    phoneNumber: customer.string("phoneNumber").replace(/-/g, ""),
    ...birthFromIdentityNumber(customer.optionalString("identityNumber")),
  };
  customer.string("ipAddress");
  const operator = body.oneOf("operator", IDENTITY_OPERATORS) ?? body.string("operator");
  const method = body.oneOf("method", ["SMS", "APP"] as const) ?? body.string("method");
  const existing = ctx.state.identityVerifications.get(identityVerificationId);
  if (existing?.status === "READY" && existing.otp !== undefined) {
    throw new PortOneApiError(
      "IDENTITY_VERIFICATION_ALREADY_SENT",
      `Identity verification ${identityVerificationId} was already sent; confirm or resend it.`,
    );
  }
  const customData = body.optionalString("customData");
  const record = openRecord(ctx, {
    identityVerificationId,
    customer: {
      customerId: customer.optionalString("id"),
      fullName: person.name,
      phoneNumber: person.phoneNumber,
    },
    channelKey: channel.key,
    ...(customData !== undefined ? { customData } : {}),
  });
  record.otp = newOtp();
  record.sentAt = record.updatedAt;
  record.sent = { operator, method, ...person };
  ctx.state.identityVerifications.set(record.id, record);
  ctx.state.changed();
  return {};
}

/** A record that was sent and still waits for its code. */
function sentRecord(ctx: DomainContext, identityVerificationId: string) {
  const record = findRecord(ctx, identityVerificationId);
  if (record.status === "VERIFIED") {
    throw new PortOneApiError(
      "IDENTITY_VERIFICATION_ALREADY_VERIFIED",
      `Identity verification ${identityVerificationId} is already verified.`,
    );
  }
  if (record.otp === undefined || !record.sent) {
    throw new PortOneApiError(
      "IDENTITY_VERIFICATION_NOT_SENT",
      `Identity verification ${identityVerificationId} was not sent; call sendIdentityVerification first.`,
    );
  }
  return record as IdentityVerificationRecord & {
    otp: string;
    sent: NonNullable<IdentityVerificationRecord["sent"]>;
  };
}

/** resendIdentityVerification: a new code replaces the old one. */
export function resendIdentityVerification(
  ctx: DomainContext,
  identityVerificationId: string,
  storeId: unknown,
): Record<string, never> {
  assertStore(ctx, storeId);
  const record = sentRecord(ctx, identityVerificationId);
  record.otp = newOtp();
  record.sentAt = isoAt(ctx.clock);
  record.updatedAt = record.sentAt;
  ctx.state.changed();
  return {};
}

/** The code the PG texted, for tests and the developer (sandbox control). */
export function sentOtp(ctx: DomainContext, identityVerificationId: string): string {
  return sentRecord(ctx, identityVerificationId).otp;
}

/** confirmIdentityVerification: the customer's code; VERIFIED when it matches. */
export function confirmIdentityVerification(
  ctx: DomainContext,
  identityVerificationId: string,
  body: Input,
): ConfirmIdentityVerificationResponse {
  assertStore(ctx, body.raw("storeId"));
  const record = sentRecord(ctx, identityVerificationId);
  if (body.optionalString("otp") !== record.otp) {
    throw new PortOneApiError("PG_PROVIDER", "The verification code does not match.", {
      pgCode: "SANDBOX_OTP_MISMATCH",
      pgMessage: "The verification code does not match.",
    });
  }
  const { sent } = record;
  const verified = verifyIdentity(
    ctx,
    {
      identityVerificationId,
      customer: {
        customerId: record.requestedCustomer.id,
        fullName: sent.name,
        phoneNumber: sent.phoneNumber,
      },
      ...(record.customData !== undefined ? { customData: record.customData } : {}),
      ...(record.channel.key ? { channelKey: record.channel.key } : {}),
    },
    { ...sent, operator: sent.operator },
  );
  return {
    identityVerification: identityVerificationView(
      verified,
    ) as ConfirmIdentityVerificationResponse["identityVerification"],
  };
}

type TimeField = "REQUESTED_AT" | "VERIFIED_AT" | "FAILED_AT" | "STATUS_UPDATED_AT";
const TIME_FIELDS = ["REQUESTED_AT", "VERIFIED_AT", "FAILED_AT", "STATUS_UPDATED_AT"] as const;

function timeOf(record: IdentityVerificationRecord, field: TimeField): string {
  if (field === "REQUESTED_AT") return record.requestedAt;
  if (field === "VERIFIED_AT") return record.verifiedAt ?? "";
  if (field === "FAILED_AT") return record.status === "FAILED" ? record.statusChangedAt : "";
  return record.statusChangedAt;
}

/** getIdentityVerifications: filter (time range, statuses, id, pgTxId, customer), sort, page. */
export function getIdentityVerifications(
  ctx: DomainContext,
  body: Input,
): GetIdentityVerificationsResponse {
  const filter = body.optionalObject("filter");
  assertStore(ctx, filter?.raw("storeId"));
  const field = filter?.oneOf("timeRangeField", TIME_FIELDS) ?? "REQUESTED_AT";
  const from = filter?.optionalDate("from");
  const until = filter?.optionalDate("until");
  const statuses = filter?.optionalArray("statuses");
  const id = filter?.optionalString("identityVerificationId");
  const pgTxId = filter?.optionalString("pgTxId");
  const isTest = filter?.optionalBoolean("isTest");
  const customer = filter?.optionalObject("customer");
  const name = customer?.optionalString("name");
  const phoneNumber = customer?.optionalString("phoneNumber");
  const matches = (record: IdentityVerificationRecord) => {
    const time = Date.parse(timeOf(record, field));
    if (from !== undefined && !(time >= from)) return false;
    if (until !== undefined && !(time <= until)) return false;
    if (statuses && !statuses.includes(record.status)) return false;
    if (id !== undefined && record.id !== id) return false;
    if (pgTxId !== undefined && record.pgTxId !== pgTxId) return false;
    if (isTest !== undefined && (record.channel.type === "TEST") !== isTest) return false;
    const person = record.verifiedCustomer ?? record.requestedCustomer;
    if (name !== undefined && person.name !== name) return false;
    return phoneNumber === undefined || person.phoneNumber === phoneNumber;
  };
  const sort = body.optionalObject("sort");
  const by = sort?.oneOf("by", TIME_FIELDS) ?? "REQUESTED_AT";
  const order = sort?.oneOf("order", ["ASC", "DESC"] as const) ?? "DESC";
  const selected = [...ctx.state.identityVerifications.values()]
    .filter(matches)
    .sort(compareBy((record) => timeOf(record, by), order));
  const { items, page } = paginate(selected, body.optionalObject("page"));
  return { items: items.map(identityVerificationView), page };
}
