import { ServiceError } from "../service-error.js";

/**
 * The database did not answer (down, partitioned, too busy) within its timeouts. Callers
 * answer 503 with Retry-After: the request is fine and can succeed once the database is back.
 * The driver's error stays in `cause` for the log; its text never reaches a response.
 */
export class StoreUnavailableError extends ServiceError {
  readonly kind = "unavailable" as const;

  constructor(options?: ErrorOptions) {
    super("The database is unavailable; try again shortly.", options);
  }
}

/**
 * The database refused one row for what it contains (a character PostgreSQL cannot store, a
 * value too large): storing the same bytes again can never succeed, so callers answer 4xx.
 */
export class UnstorableValueError extends ServiceError {
  readonly kind = "invalid-input" as const;

  constructor(options?: ErrorOptions) {
    super("The database cannot store this value.", options);
  }
}

/**
 * SQLSTATE classes of a refusal caused by the data itself: data exception (22), integrity
 * constraint (23), program limit such as a too deeply nested or too large value (54).
 */
const POSTGRES_DATA_CLASSES = ["22", "23", "54"];
const SQLITE_DATA_PREFIXES = [
  "SQLITE_TOOBIG",
  "SQLITE_MISMATCH",
  "SQLITE_CONSTRAINT",
  "SQLITE_RANGE",
];

/** Whether a driver error means "this value can never be stored" (not worth a retry). */
export function isUnstorableValue(error: unknown): boolean {
  if (error instanceof UnstorableValueError) return true;
  if (!(error instanceof Error) || isStoreOutage(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  if (/^[0-9A-Z]{5}$/.test(code)) return POSTGRES_DATA_CLASSES.includes(code.slice(0, 2));
  return SQLITE_DATA_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/**
 * PostgreSQL SQLSTATE classes and codes that mean "the database could not do it now", not
 * "this statement is wrong": connection exceptions (08), insufficient resources (53),
 * operator intervention such as shutdown or a statement_timeout cancel (57), system errors (58).
 */
const POSTGRES_OUTAGE_CLASSES = ["08", "53", "57", "58"];
/** Node socket errors on the way to the database. */
const SOCKET_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** SQLite result codes of a database that is locked or whose file cannot be used right now. */
const SQLITE_OUTAGE_PREFIXES = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_FULL",
];
/**
 * The drivers report their own timeouts, lost connections and closed handles as plain Errors;
 * this one list is the only place where their wording is matched.
 */
const DRIVER_OUTAGE_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Query read timeout",
  "Connection terminated",
  "Client has encountered a connection error",
  "Client was closed and is not queryable",
  "Cannot use a pool after calling end on the pool",
  // better-sqlite3, once the database was closed (a request racing shutdown).
  "The database connection is not open",
];

/** Whether a driver error means the database is unreachable or overloaded (retry later). */
export function isStoreOutage(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SOCKET_ERRORS.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && POSTGRES_OUTAGE_CLASSES.includes(code.slice(0, 2)))
      return true;
    if (SQLITE_OUTAGE_PREFIXES.some((prefix) => code.startsWith(prefix))) return true;
  }
  return DRIVER_OUTAGE_MESSAGES.some((message) => error.message.startsWith(message));
}

/** Rethrows a database outage as StoreUnavailableError, anything else unchanged. */
export function translateStoreError(error: unknown): never {
  if (error instanceof StoreUnavailableError) throw error;
  if (isStoreOutage(error)) throw new StoreUnavailableError({ cause: error });
  throw error;
}

/**
 * Wraps every method of a store so that an outage surfaces as StoreUnavailableError, whichever
 * database and whichever method: one rule for both dialects and all stores.
 */
export function guardOutages<Store extends object>(store: Store): Store {
  const guarded: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(store)) {
    guarded[name] =
      typeof member === "function"
        ? async (...args: unknown[]) => {
            try {
              return await (member as (...a: unknown[]) => unknown).apply(store, args);
            } catch (error) {
              translateStoreError(error);
            }
          }
        : member;
  }
  return guarded as Store;
}
