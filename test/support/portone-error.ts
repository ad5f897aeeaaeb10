/** A PortOne client's rejection as the tests inspect it: PortOne's error body in `data`. */
export type PortOneErrorLike = Error & { data: { type: string; message?: string } };

/** The error a PortOne call failed with; fails the test if the call succeeded. */
export async function portOneError(promise: Promise<unknown>): Promise<PortOneErrorLike> {
  try {
    await promise;
  } catch (error) {
    return error as PortOneErrorLike;
  }
  throw new Error("expected the call to fail");
}
