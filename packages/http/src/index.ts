export { base64urlDecode, base64urlEncode, randomToken, sha256Base64url } from "./base64url";
export {
  type BearerAuthorization,
  buildBearerChallenge,
  type ChallengeParams,
  extractBearerToken,
  parseBearerAuthorization,
} from "./bearer";
export { isJsonObject } from "./json";
export { type LogLevel, logEvent } from "./log";
export { isLoopbackHost, LOOPBACK_HOSTS } from "./loopback";
export {
  OAuthError,
  type OAuthErrorBody,
  type OAuthErrorCode,
  type OAuthErrorOptions,
  type OAuthErrorStatus,
} from "./oauth-error";
export {
  PageLayout,
  type PageLayoutProps,
  STYLESHEET_MAX_AGE_SECONDS,
  stylesheetResponse,
} from "./page-layout";
export { readOncePerEnv } from "./per-env";
export {
  findMissingSecrets,
  MISSING_SECRET_RETRY_AFTER_SECONDS,
  requireSecrets,
} from "./require-secrets";
export { type ComparableSecret, timingSafeEqual } from "./timing-safe-equal";
