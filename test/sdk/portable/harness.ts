/**
 * A test harness small enough to run on any JavaScript runtime (Node, Deno, Bun, workerd):
 * no test framework, no `node:` module, only `fetch` to talk to the control server that the
 * vitest side starts (test/sdk/portable/control-server.ts).
 */

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | "hang"
  | "reset"
  | "stall-body";

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Context {
  /** Origin the SDK under test is pointed at. */
  baseUrl: string;
  /** Replies for requests to `path`, in order; the last one repeats. */
  script(path: string, replies: Reply[]): Promise<void>;
  /** The requests the server received for `path` (without query), oldest first. */
  requests(path: string): Promise<SeenRequest[]>;
}

export interface Case {
  name: string;
  run(context: Context): Promise<void>;
}

export interface Report {
  runtime: string;
  /** What the runtime says it is, e.g. "node 22.23.3", "deno 2.9.6", "workerd". */
  version: string;
  passed: string[];
  failed: { name: string; error: string }[];
  /** How long each case took, so a run that comes close to its deadline says where. */
  durationsMs: Record<string, number>;
}

/**
 * How long one case may take before it is failed by name and the run goes on: a case that
 * hangs (a request the runtime never sends, a control call that never returns) must not
 * turn into a silent timeout of the whole runtime's test.
 */
const CASE_DEADLINE_MS = 20_000;
/** Every call to the control server has its own limit, for the same reason. */
const CONTROL_TIMEOUT_MS = 10_000;

function withinDeadline(name: string, work: Promise<void>, deadlineMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name}: did not finish within ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function reply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** The error a promise rejects with; fails the case when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject, it resolved");
}

export function assertInstance(value: unknown, type: abstract new (...args: never[]) => unknown) {
  if (!(value instanceof type)) {
    const got = value instanceof Error ? `${value.name}: ${value.message}` : String(value);
    throw new Error(`expected an instance of ${type.name}, got ${got}`);
  }
}

function controlContext(baseUrl: string): Context {
  const control = `${baseUrl}/__control`;
  return {
    baseUrl,
    async script(path, replies) {
      const response = await fetch(`${control}/script`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ path, replies }),
        signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      });
      assert(response.ok, `control server refused the script for ${path}: ${response.status}`);
      await response.arrayBuffer();
    },
    async requests(path) {
      const response = await fetch(`${control}/requests?path=${encodeURIComponent(path)}`, {
        signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      });
      return (await response.json()) as SeenRequest[];
    },
  };
}

declare const Deno: { version: { deno: string } } | undefined;
declare const Bun: { version: string } | undefined;
declare const process: { versions?: { node?: string } } | undefined;
declare const navigator: { userAgent: string } | undefined;

/** Asked of the runtime itself, so the matrix can tell that the intended one ran. */
function runtimeVersion(): string {
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  // `typeof` first: a bare `process` is a ReferenceError where it does not exist (workerd).
  const node = typeof process === "undefined" ? undefined : process.versions?.node;
  if (node) return `node ${node}`;
  return typeof navigator !== "undefined" ? navigator.userAgent : "unknown";
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs every case one after another and posts the report to the control server. */
export async function runAndReport(
  runtime: string,
  baseUrl: string,
  cases: Case[],
  caseDeadlineMs = CASE_DEADLINE_MS,
) {
  const context = controlContext(baseUrl);
  const report: Report = {
    runtime,
    version: runtimeVersion(),
    passed: [],
    failed: [],
    durationsMs: {},
  };
  for (const testCase of cases) {
    const started = Date.now();
    try {
      await withinDeadline(testCase.name, testCase.run(context), caseDeadlineMs);
      report.passed.push(testCase.name);
    } catch (error) {
      report.failed.push({ name: testCase.name, error: describeError(error) });
    }
    report.durationsMs[testCase.name] = Date.now() - started;
  }
  const response = await fetch(`${baseUrl}/__control/report`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(report),
    signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  return report;
}
