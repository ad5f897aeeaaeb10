/** The two kinds of work the dispatcher claims. */
export type WorkKind = "events" | "deliveries";

/**
 * Tells the dispatcher when any process stored new work, so that replicas wait for work
 * instead of polling for it (on PostgreSQL: LISTEN/NOTIFY). Without one the dispatcher polls.
 */
export interface WorkNotifications {
  /**
   * Starts listening. `onWork` gets the kind of work that appeared, or "all" when
   * notifications may have been missed (on every (re)connect).
   */
  start(onWork: (kind: WorkKind | "all") => void): void;
  /** True while notifications are known to arrive: polling is then only a safety net. */
  readonly live: boolean;
  stop(): Promise<void>;
}
