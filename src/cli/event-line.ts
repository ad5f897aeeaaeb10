/** Where a command writes: standard output for results, standard error for progress. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The fields of a dispatched event (src/webhooks/event.ts) a line shows. */
export interface StreamedEvent {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly livemode: boolean;
  readonly data: Record<string, unknown>;
  readonly payment: {
    readonly paymentId: string;
    readonly status: string;
    readonly totalAmount: number;
    readonly paidAmount: number | null;
    readonly cancelledAmount: number | null;
    readonly currency: string;
  } | null;
}

/** One readable line: time, type, payment, status, amount (and "test" for sandbox events). */
export function describeEvent(event: StreamedEvent): string {
  const payment = event.payment;
  const paymentId = payment?.paymentId ?? text(event.data.paymentId);
  const parts = [
    (event.timestamp ?? "").slice(11, 19) || "--:--:--",
    event.type.padEnd(34),
    paymentId ? `payment=${paymentId}` : "",
    text(event.data.billingKey) ? `billingKey=${text(event.data.billingKey)}` : "",
    payment
      ? `status=${payment.status}`
      : text(event.data.status)
        ? `status=${text(event.data.status)}`
        : "",
    payment ? `amount=${payment.totalAmount} ${payment.currency}` : "",
    payment?.cancelledAmount ? `cancelled=${payment.cancelledAmount}` : "",
    event.livemode ? "" : "(test)",
  ];
  return parts.filter(Boolean).join("  ");
}

/** Event data is PortOne's or ours; anything shown is a short single line of printable text. */
function text(value: unknown): string {
  if (typeof value !== "string") return "";
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
}
