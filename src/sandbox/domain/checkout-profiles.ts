import type { EvaluateCheckoutProfileResponse } from "../../sdk/generated/checkoutProfile/types.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { ChannelRecord, CheckoutProfileRecord } from "../state/records.js";
import type { DomainContext } from "./context.js";

/** The profile every sandbox has unless told otherwise; its methods use the default channel. */
export const DEFAULT_CHECKOUT_PROFILE_KEY = "sandbox-checkout-profile";

/** Korean methods for KRW orders from Korea, international ones for the rest. */
export function defaultCheckoutProfiles(
  channels: readonly ChannelRecord[],
): CheckoutProfileRecord[] {
  const channelKey = channels[0]?.key ?? "";
  const domestic = { channelKey, currencies: ["KRW"], countries: ["KR"] };
  return [
    {
      key: DEFAULT_CHECKOUT_PROFILE_KEY,
      methods: [
        { paymentMethod: "CARD_KR", ...domestic },
        { paymentMethod: "KAKAO_PAY", ...domestic },
        { paymentMethod: "N_PAY", ...domestic },
        { paymentMethod: "TOSS_PAY", ...domestic, minAmount: 100 },
        { paymentMethod: "CARD_INTERNATIONAL", channelKey, currencies: ["USD", "EUR", "JPY"] },
        { paymentMethod: "PAY_PAL", channelKey, currencies: ["USD", "EUR"] },
      ],
    },
  ];
}

/** A profile from caller input (createSandbox, POST /sandbox/checkout-profiles). */
export function readCheckoutProfile(value: unknown, channels: readonly ChannelRecord[]) {
  const input = Input.of(value, "checkoutProfile");
  const key = input.string("key");
  const methods = (input.optionalArray("methods") ?? []).map((entry, index) => {
    const method = Input.of(entry, `checkoutProfile.methods[${index}]`);
    const channelKey = method.string("channelKey");
    if (!channels.some((channel) => channel.key === channelKey)) {
      throw invalidRequest(
        `checkoutProfile.methods[${index}].channelKey is not a sandbox channel.`,
      );
    }
    const strings = (field: string) =>
      method.optionalArray(field)?.map((item) => {
        if (typeof item !== "string") throw invalidRequest(`${field} must list strings.`);
        return item;
      });
    const currencies = strings("currencies");
    const countries = strings("countries");
    const minAmount = method.optionalInteger("minAmount");
    const maxAmount = method.optionalInteger("maxAmount");
    return {
      paymentMethod: method.string("paymentMethod"),
      channelKey,
      ...(currencies ? { currencies } : {}),
      ...(countries ? { countries } : {}),
      ...(minAmount !== undefined ? { minAmount } : {}),
      ...(maxAmount !== undefined ? { maxAmount } : {}),
    };
  });
  return { key, methods } satisfies CheckoutProfileRecord;
}

export function findCheckoutProfile(ctx: DomainContext, profileKey: string) {
  const profile = ctx.state.checkoutProfiles.get(profileKey);
  if (!profile) {
    throw new PortOneApiError(
      "PROFILE_SETTINGS_NOT_FOUND",
      `No checkout profile ${profileKey}; the sandbox has ${[...ctx.state.checkoutProfiles.keys()].join(", ")}.`,
    );
  }
  return profile;
}

/** The profile's methods that take an order of this amount, currency and country. */
export function evaluateProfile(
  profile: CheckoutProfileRecord,
  order: { country: string; currency: string; amount: number },
) {
  return profile.methods.filter(
    (method) =>
      (!method.currencies || method.currencies.includes(order.currency)) &&
      (!method.countries || method.countries.includes(order.country)) &&
      (method.minAmount === undefined || order.amount >= method.minAmount) &&
      (method.maxAmount === undefined || order.amount <= method.maxAmount),
  );
}

/** evaluateCheckoutProfile: which methods (and channels) a checkout of this order offers. */
export function evaluateCheckoutProfile(
  ctx: DomainContext,
  query: Record<string, string | undefined>,
): EvaluateCheckoutProfileResponse {
  const input = Input.of(query);
  const profile = findCheckoutProfile(ctx, input.string("profileKey"));
  const amount = Number(input.string("amount"));
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw invalidRequest("amount must be a whole number of at least 0.");
  }
  const methods = evaluateProfile(profile, {
    country: input.string("country"),
    currency: input.string("currency"),
    amount,
  });
  return {
    methods: methods.map((method) => ({
      paymentMethod: method.paymentMethod,
      channelKey: method.channelKey,
    })) as EvaluateCheckoutProfileResponse["methods"],
  };
}
