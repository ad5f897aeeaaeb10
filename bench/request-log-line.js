// What the request log line costs by itself, in process: the "request completed" line as the
// service writes it (the built `createLogger`, info lines batched to a file descriptor, the
// non-redacting child of OneLinePerRequest, the same fields and request serializer), the same
// line through the redacting logger (what every line paid before), and a call that logs
// nothing (the limit). It prices the line against the whole request: a settled `payment.get`
// costs the service 127-153 µs of CPU (bench/service-complete-vs-peer.js), so a line of N µs
// is N/1.3 points of it at most. The destination is /dev/null, so the write system calls are
// counted but no reader is. CPU time per line, rounds rotated, medians.
//
//   npm run build && node bench/request-log-line.js   (BENCH_ROUNDS, BENCH_LINES)
import pino from "pino";
import { createLogger } from "../dist/ops/logger.js";
import { environmentLine, fixed, median, printTable, rotated } from "./lib/stats.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const perRound = Number(process.env.BENCH_LINES ?? 100_000);

const logger = createLogger("info", pino.destination({ dest: "/dev/null", sync: false }));
const unredacted = logger.child({}, { redact: [] });
// What the logger's `req` serializer reads of a Fastify request (getters there, fields here).
const request = {
  method: "GET",
  url: "/trpc/payment.get?input=%7B%22paymentId%22%3A%22order-2024-04-25-000123%22%7D",
  host: "127.0.0.1:3000",
  ip: "127.0.0.1",
  socket: { remotePort: 51234 },
};
const lineOf = (index) => ({
  reqId: `req-${index}`,
  req: request,
  res: { statusCode: 200 },
  responseTime: 0.5 + index / perRound,
});

let sink = 0;
const variants = [
  { name: "no line (limit)", run: (index) => (sink ^= index) },
  {
    name: "request line, as the service writes it",
    run: (index) => unredacted.info(lineOf(index), "request completed"),
  },
  {
    name: "request line through the redacting logger",
    run: (index) => logger.info(lineOf(index), "request completed"),
  },
];

const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));

/** CPU ns per line; yields every 500 lines so the batched writes happen inside the count. */
async function timeLines(variant) {
  const start = process.cpuUsage();
  for (let index = 0; index < perRound; index++) {
    variant.run(index);
    if (index % 500 === 499) await yieldToLoop();
  }
  const cpu = process.cpuUsage(start);
  return ((cpu.user + cpu.system) * 1e3) / perRound;
}

for (const variant of variants) {
  await timeLines(variant);
  variant.samples = [];
}
for (let round = 0; round < rounds; round++) {
  for (const variant of rotated(variants, round)) variant.samples.push(await timeLines(variant));
}

const [limit] = variants;
console.log(
  `## The request log line alone\n\n${environmentLine()}; ${rounds} rounds x ${perRound} lines per variant, order rotated.\n`,
);
printTable([
  ["variant", "CPU ns/line", "added ns vs limit"],
  ...variants.map((variant) => [
    variant.name,
    fixed(median(variant.samples), 0),
    fixed(median(variant.samples) - median(limit.samples), 0),
  ]),
]);
if (sink === 0.5) console.log("");
