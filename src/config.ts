/** The service's configuration; the sections and their loaders live in src/config/. */
export * from "./config/index.js";
