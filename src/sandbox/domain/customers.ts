import type { JsonObject } from "../state/records.js";

/** A customer object as the request carried it (not yet validated; may be absent). */
type CustomerFields = Record<string, unknown> | undefined;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

function address(input: unknown): JsonObject | undefined {
  if (!input || typeof input !== "object") return undefined;
  const fields = input as Record<string, unknown>;
  const line1 = text(fields.addressLine1);
  if (line1 === undefined) return undefined;
  const line2 = text(fields.addressLine2) ?? "";
  return compact({
    type: "SEPARATED",
    oneLine: `${line1} ${line2}`.trim(),
    addressLine1: line1,
    addressLine2: line2,
    city: text(fields.city),
    province: text(fields.province),
    country: text(fields.country),
  });
}

export function compact<T extends JsonObject>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/** The browser SDK's `customer` (fullName, customerId, ...) as the API's `Customer`. */
export function customerFromBrowser(input: CustomerFields): JsonObject {
  const fullName =
    text(input?.fullName) ??
    ([text(input?.lastName), text(input?.firstName)].filter(Boolean).join(" ") || undefined);
  return toCustomer(input, text(input?.customerId), fullName);
}

/** The REST API's `CustomerInput` (name.full / name.separated) as `Customer`. */
export function customerFromApi(input: CustomerFields): JsonObject {
  const name = input?.name as { full?: unknown; separated?: { first?: unknown; last?: unknown } };
  const separated = name?.separated
    ? [text(name.separated.last), text(name.separated.first)].filter(Boolean).join(" ")
    : undefined;
  return toCustomer(input, text(input?.id), text(name?.full) ?? (separated || undefined));
}

/** The fields both inputs name alike; only the id and the name differ between them. */
function toCustomer(
  input: CustomerFields,
  id: string | undefined,
  name: string | undefined,
): JsonObject {
  return compact({
    id,
    name,
    birthYear: text(input?.birthYear),
    birthMonth: text(input?.birthMonth),
    birthDay: text(input?.birthDay),
    gender: text(input?.gender),
    email: text(input?.email),
    phoneNumber: text(input?.phoneNumber),
    address: address(input?.address),
    zipcode: text(input?.zipcode),
  });
}
