import { invalidRequest } from "./api-error.js";

interface RuleScope {
  /**
   * Which API routes the rule hits: operationIds (`"getPayment"`) or `"METHOD /path"` route
   * patterns (`"GET /payments/:paymentId"`). Absent: every PortOne route (never /sandbox ones).
   */
  route?: string | string[];
  /** Probability (0..1) that a matching request is hit; 1 when absent. */
  rate?: number;
  /** The rule is spent after hitting this many times; unlimited when absent. */
  times?: number;
}

/** Failure a request or a webhook delivery suffers, to test clients' resilience. */
export type FaultRule =
  | (RuleScope & { kind: "latency"; ms: number })
  /** A JSON PortOne-style error body with this status (type defaults from the status). */
  | (RuleScope & { kind: "error"; status: number; type?: string; message?: string })
  /** What a gateway in front of the API answers: a non-JSON HTML page. */
  | (RuleScope & { kind: "html-502"; status?: 502 | 503 | 504 })
  /** The TCP connection is destroyed; `after`: once the request was processed. */
  | (RuleScope & { kind: "reset"; phase?: "before" | "after" })
  /** No response ever comes; `after`: once the request was processed. */
  | (RuleScope & { kind: "hang"; phase?: "before" | "after" })
  /** Each webhook delivery is sent twice with the same webhook-id. */
  | { kind: "webhook-duplicate"; rate?: number; times?: number }
  /** Webhooks are held until `count` are waiting (default 2) and then sent newest first. */
  | { kind: "webhook-reorder"; count?: number; times?: number };

export type RequestFault = Extract<FaultRule, { route?: unknown }>;

const kinds = new Set([
  "latency",
  "error",
  "html-502",
  "reset",
  "hang",
  "webhook-duplicate",
  "webhook-reorder",
]);

/** Checks rules that came over HTTP, so a typo fails loudly instead of silently never firing. */
export function parseFaultRules(value: unknown): FaultRule[] {
  if (!Array.isArray(value)) throw invalidRequest("rules must be an array of fault rules.");
  return value.map((rule, index) => {
    if (!rule || typeof rule !== "object" || !kinds.has((rule as { kind?: string }).kind ?? "")) {
      throw invalidRequest(`rules[${index}].kind must be one of ${[...kinds].join(", ")}.`);
    }
    const { kind, ms, status, rate, times } = rule as Record<string, unknown>;
    if (kind === "latency" && (typeof ms !== "number" || ms < 0)) {
      throw invalidRequest(`rules[${index}].ms must be a non-negative number of milliseconds.`);
    }
    if (kind === "error" && (typeof status !== "number" || status < 400 || status > 599)) {
      throw invalidRequest(`rules[${index}].status must be an HTTP error status (400-599).`);
    }
    if (rate !== undefined && (typeof rate !== "number" || rate < 0 || rate > 1)) {
      throw invalidRequest(`rules[${index}].rate must be between 0 and 1.`);
    }
    if (times !== undefined && (typeof times !== "number" || times < 0)) {
      throw invalidRequest(`rules[${index}].times must be a non-negative number.`);
    }
    return rule as FaultRule;
  });
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** Holds the current fault rules and decides, per request or delivery, which ones fire. */
export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  list(): FaultRule[] {
    return this.rules.filter((r) => r.remaining > 0).map((r) => r.rule);
  }

  private fire(active: ActiveRule): boolean {
    if (active.remaining <= 0) return false;
    const rate = "rate" in active.rule && active.rule.rate !== undefined ? active.rule.rate : 1;
    if (rate < 1 && this.random() >= rate) return false;
    active.remaining -= 1;
    return true;
  }

  /** The request faults that fire for one request to `operationId` (`routePattern`). */
  forRequest(operationId: string, routePattern: string): RequestFault[] {
    const fired: RequestFault[] = [];
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.kind === "webhook-duplicate" || rule.kind === "webhook-reorder") continue;
      const routes = rule.route === undefined ? undefined : [rule.route].flat();
      if (routes && !routes.includes(operationId) && !routes.includes(routePattern)) continue;
      if (this.fire(active)) fired.push(rule);
    }
    return fired;
  }

  /** Whether the next successful webhook delivery is sent a second time. */
  duplicateWebhook(): boolean {
    return this.rules.some(
      (active) => active.rule.kind === "webhook-duplicate" && this.fire(active),
    );
  }

  /** Whether deliveries should currently be held back for reordering (does not consume). */
  reorderRule(): Extract<FaultRule, { kind: "webhook-reorder" }> | undefined {
    const active = this.rules.find((r) => r.rule.kind === "webhook-reorder" && r.remaining > 0);
    return active?.rule as Extract<FaultRule, { kind: "webhook-reorder" }> | undefined;
  }

  /** Marks one reorder batch as done. */
  spendReorder(): void {
    const active = this.rules.find((r) => r.rule.kind === "webhook-reorder" && r.remaining > 0);
    if (active) active.remaining -= 1;
  }
}
