import type { OutboxStatement, OutboxStatementTarget } from "../../payments/ports.js";
import type { InboundEvent } from "../event.js";

/**
 * The INSERT of one event into the inbox for a writer that runs it inside a transaction of its
 * own: the payment records store, which writes a status change and its PaymentStatusChanged
 * event together (the database is shared so that they commit together). The row is the one
 * `insertEvent` writes: pending and due at once, a duplicate id inserting nothing. SQLite gets a
 * constant text with `?` placeholders (the caller prepares it once); PostgreSQL a fragment for
 * a data-modifying CTE, one row per row of the CTE `perRowOf`, with casts because its values
 * have no column context in a SELECT list.
 */
export function internalEventInsert(
  event: InboundEvent,
  receivedAt: number,
  target: OutboxStatementTarget,
): OutboxStatement {
  const values = [
    event.id,
    event.source,
    event.format,
    event.type,
    event.occurredAt,
    JSON.stringify(event.data),
    receivedAt,
  ];
  const columns =
    "INSERT INTO webhook_events (id, source, format, type, occurred_at, data, received_at, next_attempt_at)";
  if (target.dialect === "sqlite")
    return {
      sql: `${columns} VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      values: [...values, receivedAt],
    };
  const [id, source, format, type, occurredAt, data, at] = values.map(
    (_, index) => `$${target.firstParameter + index}`,
  );
  return {
    sql: `${columns}
      SELECT ${id}::text, ${source}::text, ${format}::text, ${type}::text, ${occurredAt}::text,
             ${data}::text, ${at}::bigint, ${at}::bigint
      FROM ${target.perRowOf}
      ON CONFLICT (id) DO NOTHING`,
    values,
  };
}
