import type { z } from "zod";

/**
 * A zod failure in the service's words: one sentence per problem, each naming the field (the
 * schemas' own messages already say what is allowed). Never zod's issue list as JSON: that is
 * its internals (patterns, codes), not something a caller should have to parse.
 */
export function describeInvalidInput(error: z.ZodError): {
  message: string;
  fields: Record<string, string>;
} {
  const fields: Record<string, string> = {};
  for (const issue of error.issues.slice(0, 10)) {
    const field = issue.path.map(String).join(".") || "input";
    fields[field] ??= sentence(field, issue);
  }
  return { message: Object.values(fields).join(" "), fields };
}

function sentence(field: string, issue: z.core.$ZodIssue): string {
  if (field === "input" && issue.code === "invalid_type")
    return "The input must be a JSON object with this procedure's fields.";
  if (issue.code === "unrecognized_keys")
    return `${field === "input" ? "The input" : field} has fields this procedure does not take: ${issue.keys.slice(0, 5).join(", ")}.`;
  // The schemas phrase their messages with the field name first; zod's defaults do not.
  return issue.message.startsWith(field.split(".").at(-1) ?? field)
    ? issue.message
    : `${field}: ${issue.message}`;
}
