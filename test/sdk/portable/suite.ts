/** The SDK's portable test core: every case that runs on each runtime of the matrix. */
import type { Case } from "./harness.js";
import { transportCases } from "./transport-cases.js";
import { webhookCases } from "./webhook-cases.js";

export const portableCases: Case[] = [...transportCases, ...webhookCases];
