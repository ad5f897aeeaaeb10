/**
 * An object that reads every property from `current()` when it is used, so a suite can hand
 * out at collection time what its `beforeAll` only starts later.
 */
export function lazyHandle<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = current();
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
