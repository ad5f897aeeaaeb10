import type { DomainContext } from "../domain/context.js";
import { invalidRequest, PortOneApiError } from "../http/api-error.js";
import type { Input } from "../http/input.js";
import { graphqlId, newPlatformId, nowIso } from "./common.js";
import { type EntityKind, registerKind, withNameAndMemo } from "./versioned.js";

/** What a contract and each policy has around its own terms. */
export interface Policy {
  id: string;
  graphqlId: string;
  name: string;
  memo?: string;
  isArchived: boolean;
  appliedAt: string;
  isForTest: boolean;
}

/**
 * Contracts, discount-share and additional-fee policies differ only in their terms (a fee, a
 * share rate, a settlement cycle...): ids, names, memos and creation are the same for all three.
 */
export interface PolicySpec<T extends Policy> extends Omit<EntityKind<T>, "applyUpdate"> {
  /** The GraphQL type its node ids name ("PlatformContract"). */
  graphqlType: string;
  /** The error type of a create body whose id is taken. */
  alreadyExists: string;
  /** The kind's own fields of a create body, validated. */
  parseTerms(body: Input): Omit<T, keyof Policy>;
  /** `next` with the kind's own fields that an update body names changed. */
  updateTerms(next: T, update: Input): T;
}

export type PolicyKind<T extends Policy> = EntityKind<T> &
  Pick<PolicySpec<T>, "graphqlType" | "alreadyExists" | "parseTerms">;

export function policyKind<T extends Policy>(spec: PolicySpec<T>): PolicyKind<T> {
  const { updateTerms, ...rest } = spec;
  const kind: PolicyKind<T> = {
    ...rest,
    applyUpdate: (_ctx, current, update) => updateTerms(withNameAndMemo(current, update), update),
  };
  registerKind(kind);
  return kind;
}

/** The id a create body asks for, or a new one; taken ids answer the kind's `alreadyExists`. */
function claimId<T extends Policy>(ctx: DomainContext, kind: PolicyKind<T>, body: Input): string {
  const id = body.optionalString("id") ?? newPlatformId(ctx.clock.now());
  if (id === "") throw invalidRequest("id must not be empty.");
  if (kind.store(ctx.state.platform).has(id)) {
    throw new PortOneApiError(kind.alreadyExists, `A ${kind.label} with id ${id} already exists.`);
  }
  return id;
}

/** createPlatformContract, createPlatformDiscountSharePolicy, createPlatformAdditionalFeePolicy. */
export function createPolicy<T extends Policy>(
  ctx: DomainContext,
  kind: PolicyKind<T>,
  body: Input,
  test: boolean,
): T {
  const id = claimId(ctx, kind, body);
  const name = body.string("name");
  const memo = body.optionalString("memo");
  const policy = {
    id,
    graphqlId: graphqlId(kind.graphqlType, id),
    name,
    ...(memo !== undefined ? { memo } : {}),
    ...kind.parseTerms(body),
    isArchived: false,
    appliedAt: nowIso(ctx),
    isForTest: test,
  } as T;
  kind.store(ctx.state.platform).set(id, { current: policy });
  ctx.state.changed();
  return policy;
}
