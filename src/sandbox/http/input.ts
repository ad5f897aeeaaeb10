import { invalidRequest } from "./api-error.js";

/** Reads fields of a JSON request body, answering INVALID_REQUEST with the field's name. */
export class Input {
  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly where = "",
  ) {}

  static of(value: unknown, where = ""): Input {
    if (value === undefined || value === null) return new Input({}, where);
    if (typeof value !== "object" || Array.isArray(value)) {
      throw invalidRequest(`${where || "The request body"} must be a JSON object.`);
    }
    return new Input(value as Record<string, unknown>, where);
  }

  private name(field: string) {
    return this.where ? `${this.where}.${field}` : field;
  }

  raw(field: string): unknown {
    return this.fields[field];
  }

  has(field: string): boolean {
    return this.fields[field] !== undefined && this.fields[field] !== null;
  }

  string(field: string): string {
    const value = this.optionalString(field);
    if (value === undefined || value === "")
      throw invalidRequest(`${this.name(field)} is required.`);
    return value;
  }

  optionalString(field: string): string | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw invalidRequest(`${this.name(field)} must be a string.`);
    return value;
  }

  integer(field: string): number {
    const value = this.optionalInteger(field);
    if (value === undefined) throw invalidRequest(`${this.name(field)} is required.`);
    return value;
  }

  optionalInteger(field: string): number | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw invalidRequest(`${this.name(field)} must be a non-negative integer.`);
    }
    return value;
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean")
      throw invalidRequest(`${this.name(field)} must be true or false.`);
    return value;
  }

  optionalDate(field: string): number | undefined {
    const value = this.optionalString(field);
    if (value === undefined) return undefined;
    const time = Date.parse(value);
    if (Number.isNaN(time)) {
      throw invalidRequest(`${this.name(field)} must be an RFC 3339 date-time, got ${value}.`);
    }
    return time;
  }

  object(field: string): Input {
    if (!this.has(field)) throw invalidRequest(`${this.name(field)} is required.`);
    return Input.of(this.fields[field], this.name(field));
  }

  optionalObject(field: string): Input | undefined {
    return this.has(field) ? Input.of(this.fields[field], this.name(field)) : undefined;
  }

  optionalArray(field: string): unknown[] | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw invalidRequest(`${this.name(field)} must be an array.`);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.optionalString(field);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidRequest(
        `${this.name(field)} must be one of ${allowed.join(", ")}; got ${value}.`,
      );
    }
    return value as T;
  }

  toJSON(): Record<string, unknown> {
    return this.fields;
  }
}
