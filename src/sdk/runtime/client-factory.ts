import type { OperationTable } from "./operation.js";
import type { CallOptions, PortOneClientInit } from "./options.js";
import { sendRequest } from "./send-request.js";

type ChildFactories = Readonly<Record<string, (init: PortOneClientInit) => unknown>>;

/**
 * Turns a generated operation table into a client object: one method per row (named after
 * the operationId) plus the category's sub-clients.
 */
export function createClient(
  init: PortOneClientInit,
  operations: OperationTable,
  children: ChildFactories,
): Record<string, unknown> {
  const client: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(operations)) {
    client[name] = (args?: Record<string, unknown>, call?: CallOptions) =>
      sendRequest(init, name, op, args, call);
  }
  for (const [key, factory] of Object.entries(children)) client[key] = factory(init);
  return client;
}
