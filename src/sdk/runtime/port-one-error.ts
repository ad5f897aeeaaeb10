/**
 * Base of every error this SDK throws, so that `catch (e) { if (e instanceof PortOneError) }`
 * separates PortOne failures from bugs in the caller's own code.
 */
export abstract class PortOneError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    // Subclasses are constructed via `new.target`, so each reports its own name in stacks.
    this.name = new.target.name;
  }
}
