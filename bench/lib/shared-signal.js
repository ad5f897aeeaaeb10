/**
 * A signal that never aborts, shared by `uses` requests before a new one replaces it: the least
 * a timeout that really closes its request can hand `fetch` (the SDK's timeout groups do the same).
 */
export function sharedSignals(uses = 16) {
  let controller = new AbortController();
  let used = 0;
  return () => {
    if (++used > uses) {
      used = 1;
      controller = new AbortController();
    }
    return controller.signal;
  };
}
