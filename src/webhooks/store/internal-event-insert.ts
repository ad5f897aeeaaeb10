import type { OutboxStatement, OutboxStatementTarget } from "../../payments/ports.js";
import type { InboundEvent } from "../event.js";
import { type NewEvent, newEventLeaseColumns } from "./rows.js";

/**
 * An internal event as the records store writes it: pending (leased or not), like every new
 * event, or already dispatched, when no subscriber wants it (see `OutboxDispatch.needsDispatch`).
 */
export type InternalEventWrite =
  | (NewEvent & { readonly dispatched: false })
  | {
      readonly event: InboundEvent;
      readonly receivedAt: number;
      readonly lease: null;
      readonly dispatched: true;
    };

const COLUMNS =
  "INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at, next_attempt_at, lease_owner, lease_until, attempts, state, dispatched_at)";
/** Constant text, whatever the row's state or lease: the records store prepares it once. */
const SQLITE_INSERT = `${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

/**
 * The state columns of the row: those `insertEvent` (or `insertLeasedEvent`) writes, or those
 * of an event dispatched with nobody to deliver it to (what completing it would have left:
 * one attempt, no lease, no body), which no claim index holds.
 */
function stateColumns(write: InternalEventWrite) {
  if (write.dispatched) {
    return {
      leaseOwner: null,
      leaseUntil: null,
      attempts: 1,
      state: "dispatched",
      dispatchedAt: write.receivedAt,
    };
  }
  return { ...newEventLeaseColumns(write), state: "pending", dispatchedAt: null };
}

/**
 * The INSERT of one event into the inbox for a writer that runs it inside a transaction of its
 * own: the payment records store, which writes a status change and its PaymentStatusChanged
 * event together (the database is shared so that they commit together). The row is the one
 * `insertEvent` (or, with a lease, `insertLeasedEvent`) writes: pending and due at once, or
 * already dispatched (see `InternalEventWrite`); a duplicate id inserts nothing. SQLite gets a constant text with `?` placeholders; PostgreSQL
 * a fragment for a data-modifying CTE, one row per row of the CTE `perRowOf`, with casts
 * because its values have no column context in a SELECT list.
 */
export function internalEventInsert(
  write: InternalEventWrite,
  target: OutboxStatementTarget,
): OutboxStatement {
  const { event, receivedAt } = write;
  const columns = stateColumns(write);
  const values = [
    event.id,
    event.source,
    event.format,
    event.type,
    event.occurredAt,
    JSON.stringify(event.data),
    receivedAt,
    columns.leaseOwner,
    columns.leaseUntil,
    columns.attempts,
    columns.state,
    columns.dispatchedAt,
  ];
  if (target.dialect === "sqlite") {
    const [id, source, format, type, occurredAt, data, at, ...rest] = values;
    return {
      sql: SQLITE_INSERT,
      values: [id, source, format, type, occurredAt, data, at, at, ...rest],
    };
  }
  const [id, source, format, type, occurredAt, data, at, owner, until, attempts, state, done] =
    values.map((_, index) => `$${target.firstParameter + index}`);
  return {
    sql: `${COLUMNS}
      SELECT ${id}::text, ${source}::text, ${format}::text, ${type}::text, ${occurredAt}::text,
             ${data}::text, ${at}::bigint, ${at}::bigint, ${owner}::text, ${until}::bigint,
             ${attempts}::int, ${state}::text, ${done}::bigint
      FROM ${target.perRowOf}
      ON CONFLICT (id) DO NOTHING`,
    values,
  };
}
