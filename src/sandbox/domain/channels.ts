import { randomUUID } from "node:crypto";
import type { SelectedChannel } from "../../sdk/generated/common/types.js";
import { pgProviders } from "../generated/operations.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { ChannelRecord } from "../state/records.js";
import type { SandboxState } from "../state/sandbox-state.js";

/** What a caller may say about a channel (createSandbox, the CLI, POST /sandbox/channels). */
export interface ChannelOptions {
  key?: string;
  id?: string;
  name?: string;
  type?: "TEST" | "LIVE";
  /** One of PortOne's `PgProvider` values; TOSSPAYMENTS by default. */
  pgProvider?: string;
  pgMerchantId?: string;
  capture?: ChannelRecord["capture"];
  cancellation?: ChannelRecord["cancellation"];
  billingKeyConfirmation?: ChannelRecord["billingKeyConfirmation"];
}

const CHANNEL_TYPES = ["TEST", "LIVE"] as const;

/** A channel from caller input, with every unsaid setting at its default; throws INVALID_REQUEST. */
export function readChannel(value: unknown, label = "channel"): ChannelRecord {
  const input = Input.of(value, label);
  const key = input.optionalString("key") ?? `channel-key-${randomUUID()}`;
  const type = input.oneOf("type", CHANNEL_TYPES) ?? "TEST";
  const pgProvider = input.oneOf("pgProvider", pgProviders) ?? "TOSSPAYMENTS";
  if (key.length > 200) throw invalidRequest(`${label}.key must be at most 200 characters.`);
  return {
    key,
    id: input.optionalString("id") ?? `channel-${randomUUID()}`,
    name: input.optionalString("name") ?? `Sandbox ${pgProvider} (${type})`,
    type,
    pgProvider,
    pgMerchantId: input.optionalString("pgMerchantId") ?? `sandbox-${pgProvider.toLowerCase()}`,
    capture: input.oneOf("capture", ["AUTOMATIC", "MANUAL"] as const) ?? "AUTOMATIC",
    cancellation: input.oneOf("cancellation", ["IMMEDIATE", "PENDING"] as const) ?? "IMMEDIATE",
    billingKeyConfirmation:
      input.oneOf("billingKeyConfirmation", ["AUTOMATIC", "MANUAL"] as const) ?? "AUTOMATIC",
  };
}

/** Several channels with distinct keys; the first is the store's default. */
export function readChannels(values: readonly unknown[]): ChannelRecord[] {
  if (values.length === 0) throw invalidRequest("channels must name at least one channel.");
  const channels = values.map((value, index) => readChannel(value, `channels[${index}]`));
  const keys = new Set(channels.map((channel) => channel.key));
  if (keys.size !== channels.length) throw invalidRequest("channels must have distinct keys.");
  return channels;
}

/**
 * Without configuration: the TEST channel every sandbox has had (its key is the credentials'
 * channelKey) and a LIVE one beside it, both on the same simulated PG.
 */
export function defaultChannels(channelKey: string): ChannelRecord[] {
  return [
    readChannel({
      key: channelKey,
      id: "sandbox-channel",
      name: "PortOne Sandbox",
      pgMerchantId: "portone-sandbox",
    }),
    readChannel({
      key: `${channelKey}-live`,
      id: "sandbox-channel-live",
      name: "PortOne Sandbox (LIVE type)",
      type: "LIVE",
    }),
  ];
}

/** `type=LIVE,pgProvider=KCP_V2,key=...`: the CLI's --channel value as channel options. */
export function parseChannelSpec(spec: string): ChannelOptions {
  const options: Record<string, string> = {};
  for (const part of spec.split(",")) {
    const [name, value] = part.split(/=(.*)/s, 2);
    if (!name || value === undefined || value === "") {
      throw new Error(`--channel takes name=value pairs separated by commas, got ${spec}.`);
    }
    options[name.trim()] = value.trim();
  }
  return options;
}

/** The channel a request names, or the store's default one when it names none. */
export function channelFor(state: SandboxState, channelKey: string | undefined): ChannelRecord {
  const channels = state.channels;
  const channel =
    channelKey === undefined ? channels[0] : channels.find((c) => c.key === channelKey);
  if (!channel) {
    throw new PortOneApiError(
      "CHANNEL_NOT_FOUND",
      `Unknown channelKey ${channelKey}; the sandbox's channels are ${channels.map((c) => c.key).join(", ")}.`,
    );
  }
  return channel;
}

/**
 * The channel a record used. Channels are only added or replaced, never removed, so the key
 * resolves; records from files written before channels existed went through the default one.
 */
export function recordedChannel(
  state: SandboxState,
  channelKey: string | undefined,
): ChannelRecord {
  return (
    state.channels.find((channel) => channel.key === channelKey) ??
    (state.channels[0] as ChannelRecord)
  );
}

/** PortOne's `SelectedChannel` for a channel. */
export function selectedChannel(channel: ChannelRecord): SelectedChannel {
  return {
    type: channel.type,
    id: channel.id,
    key: channel.key,
    name: channel.name,
    pgProvider: channel.pgProvider as SelectedChannel["pgProvider"],
    pgMerchantId: channel.pgMerchantId,
  };
}

/** Adds a channel, or replaces the one with its key. */
export function upsertChannel(state: SandboxState, channel: ChannelRecord): void {
  const index = state.channels.findIndex((existing) => existing.key === channel.key);
  if (index === -1) state.channels.push(channel);
  else state.channels[index] = channel;
  state.changed();
}
