/**
 * A signal (by default one that never aborts) shared by `uses` requests before a new one replaces
 * it: the least a timeout that really closes its request can hand `fetch` (the SDK's timeout
 * groups do the same).
 */
export function sharedSignals(uses = 16, newSignal = () => new AbortController().signal) {
  let signal = newSignal();
  let used = 0;
  return () => {
    if (++used > uses) {
      used = 1;
      signal = newSignal();
    }
    return signal;
  };
}
