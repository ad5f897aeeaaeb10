import type { ResponseDetails, RestError } from "./rest-error.js";
import type { Unrecognized } from "./unrecognized.js";

type UnrecognizedBody = { readonly type: Unrecognized };

/** An error class whose `data` is narrowed to the bodies `Data` documents. */
type Narrowed<Base extends RestError, Data> = Omit<Base, "data"> & {
  readonly data: Data | UnrecognizedBody;
};

export type CategoryErrorClass<Data, Base extends RestError> = abstract new (
  data: Data | UnrecognizedBody,
  response?: ResponseDetails,
) => Narrowed<Base, Data>;

export type OperationErrorClass<Data, Base extends RestError> = new (
  data: Data | UnrecognizedBody,
  response?: ResponseDetails,
) => Narrowed<Base, Data>;

type AnyErrorClass = abstract new (data: never, response?: ResponseDetails) => RestError;

/**
 * The generated error classes are made here from (name, base) pairs, so generated code stays
 * data. The name (given without its `Error` suffix, which every one of them has) is kept as a
 * string so minifiers cannot rename it.
 */
function subclass(name: string, base: AnyErrorClass): AnyErrorClass {
  const Base = base as unknown as new (data: unknown, response?: ResponseDetails) => RestError;
  const created = class extends Base {};
  Object.defineProperty(created, "name", { value: `${name}Error` });
  return created as unknown as AnyErrorClass;
}

export const defineOperationError = subclass as unknown as <Data, Base extends RestError>(
  name: string,
  base: abstract new (data: never, response?: ResponseDetails) => Base,
) => OperationErrorClass<Data, Base>;

export const defineCategoryError = subclass as unknown as <Data, Base extends RestError>(
  name: string,
  base: abstract new (data: never, response?: ResponseDetails) => Base,
) => CategoryErrorClass<Data, Base>;
