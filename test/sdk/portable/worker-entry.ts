/**
 * Entry for workerd: `workerd test` calls `test()`, which runs the suite with the fetch and
 * Web Crypto of Cloudflare's runtime and posts the report to the control server (env binding).
 */
import { runAndReport } from "./harness.js";
import { portableCases } from "./suite.js";

export default {
  async test(_controller: unknown, env: { CONTROL_URL: string }) {
    const report = await runAndReport("workerd", env.CONTROL_URL, portableCases);
    if (report.failed.length > 0) throw new Error(`${report.failed.length} portable cases failed`);
  },
};
