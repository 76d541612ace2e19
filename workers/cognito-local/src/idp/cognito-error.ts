/** Error types of the IdP JSON API the stand-in answers with (the `__type` of the body). */
export type CognitoErrorType =
  // From AWS's request front end, before any Cognito code runs.
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "InvalidSignatureException"
  | "UnrecognizedClientException"
  | "UnknownOperationException"
  | "SerializationException"
  // From the Cognito service model.
  | "InvalidParameterException"
  | "ResourceNotFoundException"
  | "TooManyRequestsException"
  | "LimitExceededException"
  | "ScopeDoesNotExistException"
  | "InvalidOAuthFlowException"
  | "UsernameExistsException"
  | "UserNotFoundException"
  | "InvalidPasswordException"
  | "UnsupportedUserStateException"
  | "InternalErrorException";

/** The JSON protocol's content type, on every answer of the IdP API. */
export const AMZ_JSON = "application/x-amz-json-1.1";

const FRONT_END_ERRORS: ReadonlySet<CognitoErrorType> = new Set([
  "MissingAuthenticationTokenException",
  "IncompleteSignatureException",
  "InvalidSignatureException",
  "UnrecognizedClientException",
  "UnknownOperationException",
  "SerializationException",
]);

// AWS follows the error name in `x-amzn-errortype` with the namespace of the model that defines
// it; SDKs keep only what comes before the colon.
const FRONT_END_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.coral.service/";
const COGNITO_NAMESPACE =
  "http://internal.amazon.com/coral/com.amazonaws.cognito.identity.idp.model/";

/**
 * A failure of an IdP API call, as Cognito reports it: HTTP 400 (500 for `InternalErrorException`),
 * body `{"__type", "message"}`, headers `x-amzn-errortype` and `x-amzn-requestid`.
 */
export class CognitoError extends Error {
  constructor(
    readonly type: CognitoErrorType,
    message: string,
    readonly status = type === "InternalErrorException" ? 500 : 400,
  ) {
    super(message);
    this.name = "CognitoError";
  }

  /** The error as the IdP API sends it. */
  toResponse(requestId: string): Response {
    const namespace = FRONT_END_ERRORS.has(this.type) ? FRONT_END_NAMESPACE : COGNITO_NAMESPACE;
    return new Response(JSON.stringify({ __type: this.type, message: this.message }), {
      status: this.status,
      headers: {
        "content-type": AMZ_JSON,
        "x-amzn-errortype": `${this.type}:${namespace}`,
        "x-amzn-requestid": requestId,
      },
    });
  }
}
