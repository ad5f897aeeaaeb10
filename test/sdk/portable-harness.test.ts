/**
 * The portable suite's own guard: a case that never settles is failed by its name once its
 * deadline passes, and the run goes on to the next case and posts its report, instead of the
 * whole runtime's test timing out with nothing to say.
 */
import { describe, expect, it } from "vitest";
import { startControlServer } from "./portable/control-server.js";
import { runAndReport } from "./portable/harness.js";

describe("the portable harness", () => {
  it("fails a case that hangs by name after its deadline and still runs the rest", async () => {
    const control = await startControlServer();
    try {
      const report = await runAndReport(
        "node",
        control.baseUrl,
        [
          { name: "hangs: never settles", run: () => new Promise<void>(() => {}) },
          { name: "after: runs all the same", run: async () => {} },
        ],
        50,
      );
      expect(report.failed).toEqual([
        {
          name: "hangs: never settles",
          error: "Error: hangs: never settles: did not finish within 50 ms",
        },
      ]);
      expect(report.passed).toEqual(["after: runs all the same"]);
      expect(control.report()?.failed.map((failure) => failure.name)).toEqual([
        "hangs: never settles",
      ]);
    } finally {
      await control.close();
    }
  });
});
