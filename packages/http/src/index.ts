export {
  findMissingSecrets,
  MISSING_SECRET_RETRY_AFTER_SECONDS,
  requireSecrets,
} from "./require-secrets";
