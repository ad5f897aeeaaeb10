import type { Migration } from "../../store/database.js";

/** The channel PostgreSQL notifies on commit of new unleased events or deliveries (migrations 002-004). */
export const WEBHOOK_WORK_CHANNEL = "webhook_work";

/** Times are epoch milliseconds (BIGINT) so both dialects compare them the same way. */
export const webhookMigrations: readonly Migration[] = [
  {
    id: "webhooks-001-inbox-outbox",
    sqlite: `
      CREATE TABLE webhook_events (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        format TEXT NOT NULL,
        type TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        data TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        body TEXT,
        dispatched_at INTEGER
      );
      CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE state = 'pending';
      CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL REFERENCES webhook_events (id),
        subscriber_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        attempts_before_replay INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        last_status_code INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (event_id, subscriber_id)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (subscriber_id) WHERE state = 'dead';
      CREATE TABLE webhook_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL
      );
    `,
    postgres: `
      CREATE TABLE webhook_events (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        format TEXT NOT NULL,
        type TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        data TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error TEXT,
        body TEXT,
        dispatched_at BIGINT
      );
      CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE state = 'pending';
      CREATE TABLE webhook_deliveries (
        id BIGSERIAL PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES webhook_events (id),
        subscriber_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        attempts_before_replay INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error TEXT,
        last_status_code INTEGER,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        delivered_at BIGINT,
        UNIQUE (event_id, subscriber_id)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (subscriber_id) WHERE state = 'dead';
      CREATE TABLE webhook_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        lease_until BIGINT NOT NULL
      );
    `,
  },
  {
    // Claims read the pending rows in the claim query's own ORDER BY through a partial index,
    // so a claim of a few rows costs the same at 1k or 100k pending (the 001 indexes were on
    // next_attempt_at alone: every claim read and sorted the whole backlog). On PostgreSQL an
    // insert also notifies the dispatchers (once per statement, delivered on commit), so
    // replicas wait on LISTEN instead of polling each other's load onto the database.
    id: "webhooks-002-claim-indexes-notify",
    sqlite: `
      DROP INDEX webhook_events_due;
      CREATE INDEX webhook_events_claim ON webhook_events (received_at, id) WHERE state = 'pending';
      DROP INDEX webhook_deliveries_due;
      CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';
    `,
    postgres: `
      DROP INDEX webhook_events_due;
      CREATE INDEX webhook_events_claim ON webhook_events (received_at, id) WHERE state = 'pending';
      DROP INDEX webhook_deliveries_due;
      CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';
      CREATE FUNCTION webhook_work_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${WEBHOOK_WORK_CHANNEL}', TG_TABLE_NAME);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER webhook_events_notify AFTER INSERT ON webhook_events
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_work_notify();
      CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_work_notify();
    `,
  },
  {
    // The 002 triggers notified once per INSERT statement, whatever it inserted. Each
    // notification costs every listening replica a wake-up and its backend a transaction (the
    // queue is read in one), so now only work another replica could take is announced: events
    // really inserted (an ingest batch of duplicates is not), and deliveries nobody holds (the
    // dispatcher that fans an event out leases the deliveries it has room for to itself). The
    // payload names the schema too: the channel is per database, shared by every schema in it.
    id: "webhooks-003-notify-unclaimed-work",
    sqlite: "-- SQLite has no notifications: the dispatcher polls it.",
    postgres: `
      DROP TRIGGER webhook_events_notify ON webhook_events;
      DROP TRIGGER webhook_deliveries_notify ON webhook_deliveries;
      DROP FUNCTION webhook_work_notify();
      CREATE FUNCTION webhook_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted) THEN
          PERFORM pg_notify('${WEBHOOK_WORK_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
        END IF;
        RETURN NULL;
      END
      $$;
      CREATE FUNCTION webhook_deliveries_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted WHERE lease_owner IS NULL) THEN
          PERFORM pg_notify('${WEBHOOK_WORK_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
        END IF;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER webhook_events_notify AFTER INSERT ON webhook_events
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_events_notify();
      CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_notify();
    `,
  },
  {
    // The replica that ingests an event now stores it leased to itself when it has a free
    // dispatch slot, and dispatches it from memory after the commit. Such an event is no work
    // for anyone else, so, as for deliveries since 003, only inserts of unleased events
    // notify: the other replicas (and their backends' notification-queue transactions) wake
    // only for events the ingesting replica has no room for. A leased event whose holder dies
    // is found by the claim poll once its lease runs out, like any expired claim.
    id: "webhooks-004-notify-unleased-events",
    sqlite: "-- SQLite has no notifications: the dispatcher polls it.",
    postgres: `
      CREATE OR REPLACE FUNCTION webhook_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted WHERE lease_owner IS NULL) THEN
          PERFORM pg_notify('${WEBHOOK_WORK_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
        END IF;
        RETURN NULL;
      END
      $$;
    `,
  },
  {
    // A status change nobody subscribes to is now written already dispatched, with no lease:
    // no work for anyone, so the inserts that notify are those of pending, unleased events.
    id: "webhooks-005-notify-pending-events",
    sqlite: "-- SQLite has no notifications: the dispatcher polls it.",
    postgres: `
      CREATE OR REPLACE FUNCTION webhook_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted WHERE lease_owner IS NULL AND state = 'pending') THEN
          PERFORM pg_notify('${WEBHOOK_WORK_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
        END IF;
        RETURN NULL;
      END
      $$;
    `,
  },
];
