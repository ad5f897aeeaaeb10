import { afterAll, beforeAll } from "vitest";
import type { SandboxOptions } from "../../src/sandbox/index.js";
import { lazyHandle } from "./lazy-handle.js";
import { type RunningSandbox, startSandbox } from "./sandbox.js";
import { failTestsOnSchemaViolations } from "./schema-check.js";

/**
 * A sandbox for the enclosing file or describe block whose every PortOne API response is
 * checked against openapi.json: started in `beforeAll`, closed in `afterAll`, and each test
 * fails if a response it caused broke the schema. Use the handle inside hooks and tests only.
 */
export function useCheckedSandbox(options: SandboxOptions = {}): RunningSandbox {
  let started: RunningSandbox | undefined;
  beforeAll(async () => {
    started = await startSandbox(options, { checkSchema: true });
  });
  afterAll(async () => {
    await started?.close();
  });
  failTestsOnSchemaViolations();
  return lazyHandle(() => {
    if (!started) throw new Error("the sandbox is used outside its suite's hooks and tests");
    return started;
  });
}
