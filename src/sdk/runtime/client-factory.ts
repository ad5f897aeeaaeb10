import {
  type CompiledOperation,
  compileOperation,
  type Operation,
  type OperationTable,
} from "./operation.js";
import type { CallOptions, PortOneClientInit } from "./options.js";
import { sendRequest } from "./send-request.js";

type ChildFactories = Readonly<Record<string, (init: PortOneClientInit) => unknown>>;

/**
 * Turns a generated operation table into a client object: one method per row (named after
 * the operationId) plus the category's sub-clients. A row is parsed on its first call (about a
 * microsecond), so that creating a client (all 147 operations for `PortOneClient`) stays cheap.
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
      op ??= compileOperation(name, row);
      return sendRequest(init, op, args, call);
    };
  }
  for (const key of Object.keys(children)) client[key] = children[key]?.(init);
  return client;
}
