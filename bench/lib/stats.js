// Small helpers shared by the SDK benchmarks: robust summaries and markdown tables.

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
