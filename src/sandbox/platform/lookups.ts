import type { DomainContext } from "../domain/context.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { BANKS } from "./banks.js";
import { newPlatformId } from "./common.js";

/**
 * Deterministic answers for the account holder and company state lookups, so that tests can
 * reach every outcome by the number they pass (README "Platform (marketplace)").
 */

const HOLDER_NAMES = [
  "김민준",
  "이서연",
  "박지호",
  "최수아",
  "정예준",
  "강하은",
  "조도윤",
  "윤지우",
];

/** Banks whose accounts the platform cannot pay into (securities firms, policy banks). */
function unsupported(bank: string): boolean {
  return (
    bank.endsWith("_SECURITIES") ||
    ["BANK_OF_KOREA", "KEXIM", "KODIT", "KIBO", "SGI", "KCIS", "KOREA_SECURITIES_FINANCE"].includes(
      bank,
    )
  );
}

export function accountHolder(
  ctx: DomainContext,
  bank: string,
  accountNumber: string,
  query: Record<string, string | undefined>,
) {
  if (!BANKS.has(bank)) throw invalidRequest(`${bank} is not one of PortOne's banks.`);
  if (!/^\d{6,20}$/.test(accountNumber))
    throw invalidRequest("accountNumber must be 6 to 20 digits, without '-'.");
  if (query.birthdate !== undefined && query.businessRegistrationNumber !== undefined) {
    throw invalidRequest("Send birthdate or businessRegistrationNumber, not both.");
  }
  if (unsupported(bank))
    throw new PortOneApiError(
      "PLATFORM_NOT_SUPPORTED_BANK",
      `Payouts to ${bank} accounts are not supported.`,
    );
  if (accountNumber.endsWith("0000")) {
    throw new PortOneApiError(
      "PLATFORM_EXTERNAL_API_FAILED",
      "The bank found no account with that number (sandbox: numbers ending 0000).",
    );
  }
  if (accountNumber.endsWith("9999")) {
    throw new PortOneApiError(
      "PLATFORM_EXTERNAL_API_TEMPORARILY_FAILED",
      "The bank is not answering; retry later (sandbox: numbers ending 9999).",
    );
  }
  const digitSum = [...accountNumber].reduce((sum, digit) => sum + Number(digit), 0);
  const holderName = HOLDER_NAMES[digitSum % HOLDER_NAMES.length] as string;
  const id = newPlatformId(ctx.clock.now());
  ctx.state.platform.accountVerifications.set(id, { id, bank, accountNumber, holderName });
  ctx.state.changed();
  return { holderName, accountVerificationId: id };
}

export function companyState(ctx: DomainContext, businessRegistrationNumber: string) {
  const brn = businessRegistrationNumber.replaceAll("-", "");
  if (!/^\d{10}$/.test(brn)) throw invalidRequest("businessRegistrationNumber must be 10 digits.");
  if (brn.startsWith("000")) {
    throw new PortOneApiError(
      "PLATFORM_COMPANY_NOT_FOUND",
      `No company is registered as ${brn} (sandbox: numbers starting 000).`,
    );
  }
  const last = brn.at(-1);
  const businessStatus = last === "9" ? "CLOSED" : last === "8" ? "SUSPENDED" : "IN_BUSINESS";
  const taxationType = last === "7" ? "SIMPLE" : last === "6" ? "TAX_FREE" : "NORMAL";
  const id = newPlatformId(ctx.clock.now());
  ctx.state.platform.companyVerifications.set(id, {
    id,
    businessRegistrationNumber: brn,
    businessStatus,
    taxationType,
  });
  ctx.state.changed();
  return {
    companyState: {
      taxationType,
      businessStatus,
      ...(businessStatus !== "IN_BUSINESS" ? { closedSuspendedDate: "2024-01-31" } : {}),
    },
    companyVerificationId: id,
  };
}
