/** An order source answered with something that is not a valid order: the shop must fix it. */
export class InvalidOrderError extends Error {
  constructor(
    readonly orderId: string,
    readonly problems: string,
  ) {
    super(`Order ${orderId} from the order source is invalid: ${problems}`);
    this.name = "InvalidOrderError";
  }
}
