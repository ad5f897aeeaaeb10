import { z } from "zod";

/**
 * The building blocks every config section uses: zod parsers for one environment variable
 * each, and `loadSection`, which turns a section's variables into its typed value or into
 * problems, one line each, naming the variable but never echoing its value (several are secrets).
 */

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A section's typed value, or the problems that kept it from being built. */
export type Section<T> =
  | { readonly value: T; readonly problems: readonly [] }
  | { readonly value: undefined; readonly problems: readonly string[] };

/** The trimmed value of a variable, or undefined when it is unset or blank. */
export function presentValue(env: Env, name: string): string | undefined {
  const text = env[name]?.trim();
  return text ? text : undefined;
}

/**
 * Parses the section's variables, then runs `crossChecks` on the raw values, so that rules
 * between variables are reported together with the per-variable problems.
 */
export function loadSection<Shape extends z.ZodRawShape, T>(
  env: Env,
  variables: Shape,
  build: (data: z.output<z.ZodObject<Shape>>) => T,
  crossChecks: (value: (name: string) => string | undefined) => string[] = () => [],
): Section<T> {
  const parsed = objectSchema(variables).safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  problems.push(...crossChecks((name) => presentValue(env, name)));
  if (!parsed.success || problems.length > 0) return { value: undefined, problems };
  return { value: build(parsed.data), problems: [] };
}

/**
 * A section for an optional integration (an order service, JWT authentication): its value is
 * undefined unless `switchedOn` finds its switch variables set. Its variables are parsed and
 * cross-checked either way, so a stray setting is still reported when the integration is off.
 */
export function loadOptionalSection<Shape extends z.ZodRawShape, T>(
  env: Env,
  variables: Shape,
  switchedOn: (data: z.output<z.ZodObject<Shape>>) => boolean,
  build: (data: z.output<z.ZodObject<Shape>>) => T,
  crossChecks?: (value: (name: string) => string | undefined) => string[],
): Section<T | undefined> {
  return loadSection(
    env,
    variables,
    (data) => (switchedOn(data) ? build(data) : undefined),
    crossChecks,
  );
}

/** `{ [key]: value }` when the value is set, else `{}`: an unset option stays absent, not undefined. */
export function ifSet<Key extends string, Value>(
  key: Key,
  value: Value | undefined,
): { [K in Key]?: Value } {
  return (value ? { [key]: value } : {}) as { [K in Key]?: Value };
}

/** Each section's object schema is built once (zod compiles it on first use). */
const schemas = new WeakMap<z.ZodRawShape, z.ZodObject>();
function objectSchema<Shape extends z.ZodRawShape>(variables: Shape): z.ZodObject<Shape> {
  let schema = schemas.get(variables);
  if (!schema) {
    schema = z.object(variables);
    schemas.set(variables, schema);
  }
  return schema as z.ZodObject<Shape>;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const variable = issue.path.length > 0 ? String(issue.path[0]) : "environment";
  const detail = issue.path.length > 1 ? ` (at ${issue.path.slice(1).join(".")})` : "";
  return `${variable}: ${issue.message}${detail}`;
}

const emptyAsUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

export const optionalText = z.preprocess(emptyAsUndefined, z.string().trim().min(1).optional());
export const textWithDefault = (fallback: string) =>
  z.preprocess(emptyAsUndefined, z.string().default(fallback));
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
export const optionalUrl = z.preprocess(emptyAsUndefined, httpUrl.optional());
export const urlWithDefault = (fallback: string) =>
  z.preprocess(emptyAsUndefined, httpUrl.default(fallback));

/** A whole number within bounds; the messages say which bound was missed. */
const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyAsUndefined, wholeNumber(min, max).default(fallback));

export const optionalInteger = (min: number, max: number) =>
  z.preprocess(emptyAsUndefined, wholeNumber(min, max).optional());

export const commaList = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
);

export const boolean = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(["true", "false", "1", "0"], { error: "must be true or false" })
      .default(fallback ? "true" : "false")
      .transform((value) => value === "true" || value === "1"),
  );

export const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z.preprocess(
    emptyAsUndefined,
    z.enum(values, { error: `must be ${values.join(" or ")}` }).optional(),
  );

/** A JSON value in one variable, validated by `schema` (problems point into the JSON). */
export const json = <Schema extends z.ZodType>(fallback: string, notJson: string, schema: Schema) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(fallback)
      .transform((text, context) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          context.addIssue({ code: "custom", message: notJson });
          return z.NEVER;
        }
      })
      .pipe(schema),
  );
