import type { OutboxStatement, OutboxStatementTarget } from "../../payments/ports.js";
import { type NewEvent, newEventLeaseColumns } from "./rows.js";

const COLUMNS =
  "INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at, next_attempt_at, lease_owner, lease_until, attempts)";
/** Constant text, whether the row is leased or not: the records store prepares it once. */
const SQLITE_INSERT = `${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

/**
 * The INSERT of one event into the inbox for a writer that runs it inside a transaction of its
 * own: the payment records store, which writes a status change and its PaymentStatusChanged
 * event together (the database is shared so that they commit together). The row is the one
 * `insertEvent` (or, with a lease, `insertLeasedEvent`) writes: pending and due at once, a
 * duplicate id inserting nothing. SQLite gets a constant text with `?` placeholders; PostgreSQL
 * a fragment for a data-modifying CTE, one row per row of the CTE `perRowOf`, with casts
 * because its values have no column context in a SELECT list.
 */
export function internalEventInsert(
  pending: NewEvent,
  target: OutboxStatementTarget,
): OutboxStatement {
  const { event, receivedAt } = pending;
  const lease = newEventLeaseColumns(pending);
  const values = [
    event.id,
    event.source,
    event.format,
    event.type,
    event.occurredAt,
    JSON.stringify(event.data),
    receivedAt,
    lease.leaseOwner,
    lease.leaseUntil,
    lease.attempts,
  ];
  if (target.dialect === "sqlite") {
    const [id, source, format, type, occurredAt, data, at, ...leaseValues] = values;
    return {
      sql: SQLITE_INSERT,
      values: [id, source, format, type, occurredAt, data, at, at, ...leaseValues],
    };
  }
  const [id, source, format, type, occurredAt, data, at, owner, until, attempts] = values.map(
    (_, index) => `$${target.firstParameter + index}`,
  );
  return {
    sql: `${COLUMNS}
      SELECT ${id}::text, ${source}::text, ${format}::text, ${type}::text, ${occurredAt}::text,
             ${data}::text, ${at}::bigint, ${at}::bigint, ${owner}::text, ${until}::bigint,
             ${attempts}::int
      FROM ${target.perRowOf}
      ON CONFLICT (id) DO NOTHING`,
    values,
  };
}
