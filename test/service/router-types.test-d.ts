import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import type { AppRouter } from "../../src/router/index.js";

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

describe("AppRouter types seen by a browser client", () => {
  it("has the four payment procedures with their inputs (guestToken for guest orders)", () => {
    expectTypeOf<Inputs["payment"]["prepare"]>().toEqualTypeOf<{
      orderId: string;
      guestToken?: string | undefined;
    }>();
    expectTypeOf<Inputs["payment"]["get"]>().toEqualTypeOf<{
      paymentId: string;
      guestToken?: string | undefined;
    }>();
    expectTypeOf<Inputs["payment"]["complete"]>().toEqualTypeOf<{
      paymentId: string;
      guestToken?: string | undefined;
    }>();
    expectTypeOf<Inputs["payment"]["confirm"]>().toEqualTypeOf<{
      paymentId: string;
      paymentToken: string;
      txId: string;
      guestToken?: string | undefined;
    }>();
  });

  it("returns the sanitised view and the checkout parameters", () => {
    expectTypeOf<Outputs["payment"]["get"]["status"]>().toEqualTypeOf<
      | "PREPARED"
      | "READY"
      | "PAY_PENDING"
      | "VIRTUAL_ACCOUNT_ISSUED"
      | "PAID"
      | "FAILED"
      | "PARTIAL_CANCELLED"
      | "CANCELLED"
      | "MISMATCH"
    >();
    expectTypeOf<Outputs["payment"]["get"]["totalAmount"]>().toEqualTypeOf<number>();
    expectTypeOf<Outputs["payment"]["prepare"]>().toHaveProperty("channelKey");
    expectTypeOf<Outputs["payment"]["prepare"]>().toHaveProperty("storeId");
    expectTypeOf<Outputs["payment"]["prepare"]["guestToken"]>().toEqualTypeOf<string | null>();
    // Nothing about the shop's PortOne account or the mismatch diagnosis reaches the browser.
    expectTypeOf<Outputs["payment"]["get"]>().not.toHaveProperty("mismatchReason");
    expectTypeOf<Outputs["payment"]["get"]>().not.toHaveProperty("customerId");
  });
});
