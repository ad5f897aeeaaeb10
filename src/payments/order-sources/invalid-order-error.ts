import { ServiceError } from "../../service-error.js";

/** An order source answered with something that is not a valid order: the shop must fix it. */
export class InvalidOrderError extends ServiceError {
  readonly kind = "bad-gateway";
  constructor(
    readonly orderId: string,
    readonly problems: string,
  ) {
    super("The shop's order service returned an unusable order.");
  }

  override operatorDetails() {
    return { dependency: "order-source", orderId: this.orderId, problems: this.problems };
  }

  override get logLevel() {
    return "error" as const;
  }
}
