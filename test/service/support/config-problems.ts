import { ConfigError, loadConfig } from "../../../src/config.js";

/** The ConfigError loadConfig refuses `env` with; an env it accepts fails the test. */
export function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

export function problemsOf(env: Record<string, string>): string[] {
  return [...configErrorOf(env).problems];
}
