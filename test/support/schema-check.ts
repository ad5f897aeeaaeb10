import { afterEach, describe, expect, it } from "vitest";
import { hasOpenApi, loadOpenApi, missingOpenApiReason } from "./openapi.js";

/** Schema problems seen in responses of every checked sandbox of this test file. */
export const schemaViolations: string[] = [];
/** How many PortOne API responses were checked against the schema, by operationId. */
export const checkedResponses = new Map<string, number>();

const checkedOrigins = new Set<string>();
const realFetch = globalThis.fetch;

/**
 * Validates every response `origin` sends for a PortOne operation against openapi.json, by
 * wrapping the global fetch (which the official SDK calls), until the returned function is
 * called. Without openapi.json nothing is checked.
 */
export function checkResponsesOf(origin: string): () => void {
  installCheckingFetch();
  checkedOrigins.add(origin);
  return () => checkedOrigins.delete(origin);
}

function installCheckingFetch(): void {
  if (globalThis.fetch !== realFetch || !hasOpenApi) return;
  const schema = loadOpenApi();
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await realFetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!checkedOrigins.has(url.origin) || url.pathname.startsWith("/sandbox/")) return response;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : "GET")
    ).toUpperCase();
    const operation = schema.match(method, url.pathname);
    const text = await response.clone().text();
    if (!operation) {
      schemaViolations.push(`${method} ${url.pathname}: not an operation of the schema`);
      return response;
    }
    if (response.ok && response.headers.get("content-type")?.startsWith("text/csv")) {
      if (operation.successIsCsv) {
        checkedResponses.set(
          operation.operationId,
          (checkedResponses.get(operation.operationId) ?? 0) + 1,
        );
      } else {
        schemaViolations.push(`${operation.operationId}: answered CSV, the schema says JSON`);
      }
      return response;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      schemaViolations.push(`${operation.operationId}: body is not JSON: ${text.slice(0, 80)}`);
      return response;
    }
    if ((body as { type?: unknown }).type === "IDEMPOTENCY_OUTSTANDING_REQUEST") return response;
    schemaViolations.push(...schema.check(operation.operationId, response.status, body));
    checkedResponses.set(
      operation.operationId,
      (checkedResponses.get(operation.operationId) ?? 0) + 1,
    );
    return response;
  };
}

/**
 * For a test file whose sandboxes check their responses: each test fails if a response it
 * caused broke the schema. Without openapi.json a warning says the checks are skipped.
 */
export function failTestsOnSchemaViolations(): void {
  if (!hasOpenApi) console.warn(missingOpenApiReason);
  afterEach(() => {
    expect(schemaViolations.splice(0)).toEqual([]);
  });
}

/**
 * Declares, last in a test file, that the file's tests made every one of `operationIds` answer
 * at least once, each answer checked against openapi.json.
 */
export function expectEveryOperationChecked(group: string, operationIds: readonly string[]): void {
  describe.skipIf(!hasOpenApi)("schema conformance", () => {
    it(`validated every response of the ${group} operations against openapi.json`, () => {
      for (const operationId of operationIds) {
        expect(checkedResponses.get(operationId) ?? 0, operationId).toBeGreaterThan(0);
      }
      expect(schemaViolations).toEqual([]);
    });
  });
}
