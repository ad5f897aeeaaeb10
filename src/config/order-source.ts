import {
  type Env,
  ifSet,
  integer,
  loadOptionalSection,
  optionalText,
  optionalUrl,
  type Section,
} from "./variables.js";

/** The shop backend that says what an order costs (absent: the demo catalog, sandbox only). */
export interface OrderSourceConfig {
  readonly url: string;
  readonly token?: string;
  readonly timeoutMs: number;
}

const orderSourceVariables = {
  ORDER_SOURCE_URL: optionalUrl,
  ORDER_SOURCE_TOKEN: optionalText,
  ORDER_SOURCE_TIMEOUT_MS: integer(100, 120_000, 5_000),
};

export function loadOrderSourceConfig(env: Env): Section<OrderSourceConfig | undefined> {
  return loadOptionalSection(
    env,
    orderSourceVariables,
    (v) => Boolean(v.ORDER_SOURCE_URL),
    (v): OrderSourceConfig => ({
      url: v.ORDER_SOURCE_URL as string,
      ...ifSet("token", v.ORDER_SOURCE_TOKEN),
      timeoutMs: v.ORDER_SOURCE_TIMEOUT_MS,
    }),
    (value) =>
      value("ORDER_SOURCE_TOKEN") && !value("ORDER_SOURCE_URL")
        ? ["ORDER_SOURCE_TOKEN: is set but ORDER_SOURCE_URL is not"]
        : [],
  );
}
