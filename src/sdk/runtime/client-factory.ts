import {
  type CompiledOperation,
  compileOperation,
  type Operation,
  type OperationTable,
} from "./operation.js";
import type { CallOptions, PortOneClientInit } from "./options.js";
import { sendRequest } from "./send-request.js";

type ChildFactories = Readonly<Record<string, (init: PortOneClientInit) => unknown>>;

/** Shared by every client, so that creating a client per request does not parse rows again. */
const compiled = new WeakMap<Operation, CompiledOperation>();

function compiledRow(name: string, row: Operation): CompiledOperation {
  let op = compiled.get(row);
  if (!op) {
    op = compileOperation(name, row);
    compiled.set(row, op);
  }
  return op;
}

/**
 * Turns a generated operation table into a client object: one method per row (named after
 * the operationId) plus the category's sub-clients. A row is parsed on its first call, so
 * that creating a client (all 147 operations for `PortOneClient`) stays cheap.
 */
export function createClient(
  init: PortOneClientInit,
  operations: OperationTable,
  children: ChildFactories,
): Record<string, unknown> {
  const client: Record<string, unknown> = {};
  for (const name of Object.keys(operations)) {
    const row = operations[name] as Operation;
    let op: CompiledOperation | undefined;
    client[name] = (args?: Record<string, unknown>, call?: CallOptions) => {
      op ??= compiledRow(name, row);
      return sendRequest(init, op, args, call);
    };
  }
  for (const key of Object.keys(children)) client[key] = children[key]?.(init);
  return client;
}

/** What a generated category exports as its client: `PaymentClient(init)`. */
export function clientFactory(
  operations: OperationTable,
  children: ChildFactories,
): (init: PortOneClientInit) => Record<string, unknown> {
  return (init) => createClient(init, operations, children);
}
