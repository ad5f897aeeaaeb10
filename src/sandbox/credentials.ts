import { randomBytes, randomUUID } from "node:crypto";

/** Everything a client needs to talk to one sandbox; kept across restarts with persistence. */
export interface SandboxCredentials {
  apiSecret: string;
  storeId: string;
  webhookSecret: string;
  channelKey: string;
  merchantId: string;
}

export function generateCredentials(): SandboxCredentials {
  return {
    apiSecret: randomBytes(40).toString("base64url"),
    storeId: `store-${randomUUID()}`,
    webhookSecret: `whsec_${randomBytes(32).toString("base64")}`,
    channelKey: `channel-key-${randomUUID()}`,
    merchantId: `merchant-${randomUUID()}`,
  };
}
