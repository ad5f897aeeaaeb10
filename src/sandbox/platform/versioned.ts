import type { DomainContext } from "../domain/context.js";
import { paginate } from "../domain/pages.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import { Input } from "../http/input.js";
import type { JsonObject } from "../state/records.js";
import { contains, nowIso } from "./common.js";
import type { PlatformState, Versioned } from "./platform-state.js";

/** What the versioned life cycle needs of a partner, contract or policy. */
export interface Entity {
  id: string;
  isArchived: boolean;
  appliedAt: string;
  isForTest: boolean;
}

/**
 * What differs between partners, contracts, discount-share and additional-fee policies: their
 * store, error types, and how a create or update body becomes the entity. Everything else
 * (archive, recover, schedules, pages) is the same for all four and lives here.
 */
export interface EntityKind<T extends Entity> {
  /** Its name in messages ("contract"). */
  label: string;
  /** Its name in PortOne's operation ids and response keys ("DiscountSharePolicy"). */
  apiName: string;
  store(state: PlatformState): Map<string, Versioned<T>>;
  notFound: string;
  archived: string;
  scheduleAlreadyExists: string;
  cannotArchiveScheduled: string;
  /** The entity an update body makes of `current`; throws the kind's errors for bad input. */
  applyUpdate(ctx: DomainContext, current: T, update: Input): T;
}

/** The name and memo an update body gives, which every kind's update takes the same way. */
export function withNameAndMemo<T extends { name: string; memo?: string }>(
  current: T,
  update: Input,
): T {
  const next = { ...current };
  const name = update.optionalString("name");
  if (name !== undefined) next.name = name;
  const memo = update.optionalString("memo");
  if (memo !== undefined) next.memo = memo;
  return next;
}

/** The `keyword.id` and `keyword.name` criteria every kind's list filter has. */
export function idAndNameMatch(
  entity: { id: string; name: string },
  keyword: Input | undefined,
): boolean {
  return (
    contains(entity.id, keyword?.optionalString("id")) &&
    contains(entity.name, keyword?.optionalString("name"))
  );
}

export function findEntity<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  id: string,
): Versioned<T> {
  const found = kind.store(ctx.state.platform).get(id);
  if (!found) throw new PortOneApiError(kind.notFound, `No ${kind.label} with id ${id}.`);
  return found;
}

function assertNotArchived<T extends Entity>(kind: EntityKind<T>, entity: T): void {
  if (entity.isArchived) {
    throw new PortOneApiError(
      kind.archived,
      `The ${kind.label} ${entity.id} is archived; recover it first.`,
    );
  }
}

export function updateEntity<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  id: string,
  body: Input,
): T {
  const found = findEntity(ctx, kind, id);
  assertNotArchived(kind, found.current);
  found.current = { ...kind.applyUpdate(ctx, found.current, body), appliedAt: nowIso(ctx) };
  ctx.state.changed();
  return found.current;
}

export function setArchived<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  id: string,
  isArchived: boolean,
): T {
  const found = findEntity(ctx, kind, id);
  if (isArchived && found.pending) {
    throw new PortOneApiError(
      kind.cannotArchiveScheduled,
      `The ${kind.label} ${id} has a scheduled update; cancel it before archiving.`,
    );
  }
  found.current = { ...found.current, isArchived };
  ctx.state.changed();
  return found.current;
}

/** The entity as it will be once the pending update applies. */
function preview<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  found: Versioned<T>,
): T {
  const pending = found.pending;
  if (!pending)
    throw new PortOneApiError(
      kind.notFound,
      `The ${kind.label} ${found.current.id} has no scheduled update.`,
    );
  return {
    ...kind.applyUpdate(ctx, found.current, Input.of(pending.update, "update")),
    appliedAt: pending.appliedAt,
  };
}

/** schedule* (replace = false) and reschedule* (replace = true). */
export function scheduleUpdate<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  id: string,
  body: Input,
  replace: boolean,
): T {
  const found = findEntity(ctx, kind, id);
  if (replace && !found.pending) {
    throw new PortOneApiError(
      kind.notFound,
      `The ${kind.label} ${id} has no scheduled update to reschedule.`,
    );
  }
  if (!replace) {
    assertNotArchived(kind, found.current);
    if (found.pending) {
      throw new PortOneApiError(
        kind.scheduleAlreadyExists,
        `The ${kind.label} ${id} already has a scheduled update; reschedule or cancel it.`,
      );
    }
  }
  const update = body.object("update").toJSON() as JsonObject;
  const appliedAt = body.optionalDate("appliedAt");
  if (appliedAt === undefined) throw invalidRequest("appliedAt is required.");
  if (appliedAt <= ctx.clock.now()) {
    throw invalidRequest("appliedAt must be in the future (by the sandbox clock).");
  }
  const candidate: Versioned<T> = {
    current: found.current,
    pending: { update, appliedAt: new Date(appliedAt).toISOString() },
  };
  const scheduled = preview(ctx, kind, candidate);
  found.pending = candidate.pending;
  ctx.state.changed();
  return scheduled;
}

export function getSchedule<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  id: string,
): T {
  return preview(ctx, kind, findEntity(ctx, kind, id));
}

export function cancelSchedule<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  id: string,
): Record<string, never> {
  const found = findEntity(ctx, kind, id);
  delete found.pending;
  ctx.state.changed();
  return {};
}

/** Newest first, filtered, one page; `isArchived` absent lists live entities only. */
export function listEntities<T extends Entity>(
  ctx: DomainContext,
  kind: EntityKind<T>,
  body: Input,
  test: boolean,
  matches: (entity: T, filter: Input | undefined) => boolean,
) {
  const filter = body.optionalObject("filter");
  const archived = filter?.optionalBoolean("isArchived") ?? false;
  const all = [...kind.store(ctx.state.platform).values()]
    .map((entry) => entry.current)
    .filter((entity) => entity.isForTest === test && entity.isArchived === archived)
    .filter((entity) => matches(entity, filter))
    .reverse();
  return paginate(all, body.optionalObject("page"));
}

type AnyKind = EntityKind<Entity>;
const registeredKinds: AnyKind[] = [];

export function registerKind<T extends Entity>(kind: EntityKind<T>): EntityKind<T> {
  registeredKinds.push(kind as unknown as AnyKind);
  return kind;
}

/**
 * Applies every scheduled update whose time the sandbox clock has reached, oldest first. Runs
 * before each platform operation, so a schedule applies "when the clock gets there" for every
 * observer without a timer of its own.
 */
export function applyDueUpdates(ctx: DomainContext): void {
  const now = ctx.clock.now();
  const due: { kind: AnyKind; entry: Versioned<Entity> }[] = [];
  for (const kind of registeredKinds) {
    for (const entry of kind.store(ctx.state.platform).values()) {
      if (entry.pending && Date.parse(entry.pending.appliedAt) <= now) due.push({ kind, entry });
    }
  }
  if (due.length === 0) return;
  due.sort((a, b) =>
    (a.entry.pending?.appliedAt ?? "").localeCompare(b.entry.pending?.appliedAt ?? ""),
  );
  for (const { kind, entry } of due) {
    try {
      entry.current = preview(ctx, kind, entry);
    } catch {
      // An update that became invalid meanwhile (its contract was archived...) is dropped, as
      // PortOne drops a schedule it cannot apply; the entity stays as it was.
    }
    delete entry.pending;
  }
  ctx.state.changed();
}
