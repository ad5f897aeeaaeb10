export { createDemoCatalogOrderSource, DEMO_PRODUCTS } from "./demo-catalog.js";
export { createHttpOrderSource, type HttpOrderSourceOptions } from "./http.js";
export { createInProcessOrderSource } from "./in-process.js";
export { InvalidOrderError } from "./invalid-order-error.js";
