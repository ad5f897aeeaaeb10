import { z } from "zod";
import type { Order } from "../ports.js";

/** An order as any source must describe it; checked so a shop bug cannot become a wrong charge. */
export const orderSchema = z.object({
  orderId: z.string().min(1),
  customerId: z.string().min(1).nullable(),
  orderName: z.string().min(1),
  totalAmount: z.number().int().positive(),
  taxFreeAmount: z.number().int().nonnegative().optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: "must be an ISO 4217 code such as KRW" }),
  customer: z
    .object({
      fullName: z.string().optional(),
      email: z.string().optional(),
      phoneNumber: z.string().optional(),
    })
    .optional(),
}) satisfies z.ZodType<Order>;

/** Describes why a value is not an order, by field, without repeating the values. */
export function describeInvalidOrder(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || "order"}: ${issue.message}`)
    .join("; ");
}
