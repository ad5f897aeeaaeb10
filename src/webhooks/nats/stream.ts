import {
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { millis, nanos } from "@nats-io/transport-node";
import { streamSubjects } from "./subjects.js";

/** What the event stream must be for the outbox's guarantees to hold. */
export interface EventStreamSpec {
  readonly name: string;
  readonly subjectPrefix: string;
  /** Longer than the outbox's retry horizon, so a re-publish of any attempt is dropped. */
  readonly duplicateWindowMs: number;
  /** Only used when creating the stream. */
  readonly maxAgeMs: number;
  readonly replicas: number;
}

export class EventStreamMismatchError extends Error {
  constructor(
    readonly stream: string,
    readonly problems: readonly string[],
  ) {
    super(
      `NATS stream ${stream} does not fit the webhook outbox:\n${problems.map((p) => `  - ${p}`).join("\n")}\nChange the stream (nats stream edit ${stream}) or point NATS_STREAM at another one.`,
    );
    this.name = "EventStreamMismatchError";
  }
}

/**
 * Why an existing stream cannot take the events: it must capture every subject under the
 * prefix, keep messages by limits (a work-queue or interest stream would delete them once one
 * consumer read them, so other services could not read at their own pace or replay), store them
 * on disk (memory storage loses them on a restart), and remember message ids for longer than
 * the outbox may retry one publish.
 */
export function streamProblems(config: StreamConfig, spec: EventStreamSpec): string[] {
  const problems: string[] = [];
  const wanted = streamSubjects(spec.subjectPrefix);
  const subjects = config.subjects ?? [];
  if (!subjects.includes(wanted) && !subjects.includes(">")) {
    problems.push(
      `subjects are [${subjects.join(", ")}], they must include "${wanted}" (NATS_SUBJECT_PREFIX=${spec.subjectPrefix})`,
    );
  }
  if (config.retention !== RetentionPolicy.Limits) {
    problems.push(
      `retention is "${config.retention}", it must be "limits" so every consumer can read (and replay) every event`,
    );
  }
  if (config.storage !== StorageType.File) {
    problems.push(`storage is "${config.storage}", it must be "file" so events survive a restart`);
  }
  const windowMs = millis(config.duplicate_window ?? 0);
  if (windowMs < spec.duplicateWindowMs) {
    problems.push(
      `duplicate_window is ${windowMs} ms, it must be at least ${spec.duplicateWindowMs} ms (longer than the outbox retries one event)`,
    );
  }
  if (config.sealed) problems.push("the stream is sealed: it takes no new messages");
  return problems;
}

/** Creates the stream when it does not exist; otherwise checks it and throws on a mismatch. */
export async function ensureEventStream(
  jsm: JetStreamManager,
  spec: EventStreamSpec,
): Promise<{ readonly created: boolean; readonly info: StreamInfo }> {
  const existing = await jsm.streams.info(spec.name).catch((error: unknown) => {
    if (isStreamNotFound(error)) return null;
    throw error;
  });
  if (existing) {
    const problems = streamProblems(existing.config, spec);
    if (problems.length > 0) throw new EventStreamMismatchError(spec.name, problems);
    return { created: false, info: existing };
  }
  try {
    const info = await jsm.streams.add({
      name: spec.name,
      subjects: [streamSubjects(spec.subjectPrefix)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(spec.duplicateWindowMs),
      max_age: nanos(spec.maxAgeMs),
      num_replicas: spec.replicas,
    });
    return { created: true, info };
  } catch (error) {
    // Another replica created it at the same moment: check theirs instead.
    const raced = await jsm.streams.info(spec.name).catch(() => null);
    if (!raced) throw error;
    const problems = streamProblems(raced.config, spec);
    if (problems.length > 0) throw new EventStreamMismatchError(spec.name, problems);
    return { created: false, info: raced };
  }
}

function isStreamNotFound(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error as { code: unknown }).code === 10059
  );
}
