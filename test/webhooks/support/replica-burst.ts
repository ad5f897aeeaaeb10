import { postSignedWebhook } from "../../support/signed-webhook.js";
import { type ServiceProcess, startServiceProcess } from "./service-process.js";

/** Three service processes from one env, started together so that their start-up races. */
export function startThreeReplicas(env: Record<string, string>): Promise<ServiceProcess[]> {
  return Promise.all([0, 1, 2].map(() => startServiceProcess(env)));
}

/**
 * One signed webhook per id (every third a BillingKey.Issued, the rest Transaction.Paid, for
 * payments this service does not know), all at once: each reaches two of the three replicas,
 * every fifth all three at once. Resolves with every answer's status.
 */
export async function sendBurstToReplicas(
  replicas: readonly ServiceProcess[],
  secret: string,
  ids: readonly string[],
): Promise<number[]> {
  const statuses: number[] = [];
  await Promise.all(
    ids.map(async (id, i) => {
      const body = JSON.stringify({
        type: i % 3 === 0 ? "BillingKey.Issued" : "Transaction.Paid",
        timestamp: new Date().toISOString(),
        data: {
          storeId: "s",
          paymentId: `not-ours-${i}`,
          billingKey: `bk-${i}`,
          transactionId: "t",
        },
      });
      const targets = i % 5 === 0 ? [0, 1, 2] : [i % 3, (i + 1) % 3];
      const answers = await Promise.all(
        targets.map((target) =>
          postSignedWebhook((replicas[target] as ServiceProcess).url, secret, body, id),
        ),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }),
  );
  return statuses;
}
