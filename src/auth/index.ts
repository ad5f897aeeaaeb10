export {
  type AuthenticateCaller,
  type CallerAuthenticationOptions,
  createCallerAuthenticator,
} from "./authenticate-caller.js";
export {
  AuthenticationError,
  type AuthenticationFailure,
  AuthenticationUnavailableError,
} from "./authentication-error.js";
