/**
 * Entry for runtimes started from a command line (Node, Deno, Bun):
 * `<runtime> suite.mjs <runtime name> <control server URL>`.
 */
import { runAndReport } from "./harness.js";
import { portableCases } from "./suite.js";

declare const Deno: { args: string[] } | undefined;
declare const process: { argv: string[] } | undefined;

const args = typeof Deno !== "undefined" ? Deno.args : (process?.argv.slice(2) ?? []);
const [runtime, controlUrl] = args;
if (!runtime || !controlUrl) throw new Error("usage: suite.mjs <runtime> <control URL>");
const report = await runAndReport(runtime, controlUrl, portableCases);
console.log(`${runtime}: ${report.passed.length} passed, ${report.failed.length} failed`);
