/** What went wrong while discovering, registering or authorizing; `code` names the step's rule. */
export type OAuthClientErrorCode =
  | "no_challenge"
  | "insecure_url"
  | "resource_metadata_not_found"
  | "invalid_resource_metadata"
  | "authorization_server_not_found"
  | "pkce_unsupported"
  | "registration_unsupported"
  | "state_mismatch"
  | "step_up_limit";

/** A protocol failure on the client side; its message is safe to show (no secret or token). */
export class OAuthClientError extends Error {
  override readonly name = "OAuthClientError";
  constructor(
    readonly code: OAuthClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
