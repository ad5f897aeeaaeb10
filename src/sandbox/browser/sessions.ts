import { randomBytes } from "node:crypto";
import type { Clock } from "../options.js";
import type { CheckoutRequest } from "./requests.js";

/** What a request* promise resolves with (browser-sdk.yml's response objects). */
export type SdkResponse = { transactionType: string } & Record<string, unknown>;

export interface CheckoutSession {
  /** Unguessable: knowing it is what lets a window decide the outcome. */
  id: string;
  createdAt: number;
  checkout: CheckoutRequest;
  /** Set once the person chose; a second choice gets the first answer. */
  response?: SdkResponse;
}

/** Long enough to fill in a checkout, short enough that forgotten windows go away. */
const SESSION_TTL_MS = 30 * 60 * 1000;
/** A page that opens windows in a loop cannot grow the sandbox's memory without bound. */
const MAX_OPEN_SESSIONS = 2000;

/**
 * Checkout windows the stand-in script opened, in memory: a window lives for one checkout,
 * while what it decides (payments, billing keys, verifications) goes to the sandbox's state.
 */
export class CheckoutSessions {
  private readonly sessions = new Map<string, CheckoutSession>();

  constructor(private readonly clock: Clock) {}

  open(checkout: CheckoutRequest): CheckoutSession {
    this.expire();
    if (this.sessions.size >= MAX_OPEN_SESSIONS) {
      // Map order is insertion order: the oldest window goes first.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session: CheckoutSession = {
      id: randomBytes(18).toString("base64url"),
      createdAt: this.clock.now(),
      checkout,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  find(id: string): CheckoutSession | undefined {
    this.expire();
    return this.sessions.get(id);
  }

  private expire(): void {
    const cutoff = this.clock.now() - SESSION_TTL_MS;
    for (const [id, session] of this.sessions) {
      if (session.createdAt < cutoff) this.sessions.delete(id);
    }
  }
}
