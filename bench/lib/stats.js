// Small helpers shared by the benchmarks: robust summaries, markdown tables, rounds.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median absolute deviation as a fraction of the median: how noisy a series was. */
export function relativeSpread(values) {
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center))) / center;
}

export function fixed(value, digits = 2) {
  return Number(value).toFixed(digits);
}

export function grouped(value) {
  return Math.round(value).toLocaleString("en-US");
}

/** Prints a markdown table; `rows` are arrays of cells, the first row is the header. */
export function printTable(rows) {
  const [header, ...body] = rows;
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const row of body) console.log(`| ${row.join(" | ")} |`);
  console.log();
}

/** Rotates `items` by `round`, so that no variant always runs first (warm caches, CPU boost). */
export function rotated(items, round) {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export function environmentLine() {
  return `Node ${process.version}, ${process.platform}/${process.arch}`;
}

/**
 * Sampling shared by the side-by-side benchmarks: one warm-up run per target (JIT, pools,
 * caches), then `rounds` rounds over every target in rotated order. `measure(target)` returns
 * one sample; the result maps each target's name to its samples.
 */
export async function sampleRounds(targets, rounds, measure, warmUp = measure) {
  for (const target of targets) await warmUp(target);
  const samples = new Map(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of rotated(targets, round)) {
      samples.get(target.name).push(await measure(target));
    }
  }
  return samples;
}
