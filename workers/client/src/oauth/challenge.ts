import * as oauth from "oauth4webapi";

/** The parts of a `Bearer` challenge the client acts on. */
export interface BearerChallenge {
  resourceMetadata?: string;
  scope?: string;
  error?: string;
  errorDescription?: string;
}

/**
 * Reads the `Bearer` challenge of a 401/403 with oauth4webapi's `WWW-Authenticate` parser
 * (RFC 9110 §11.6.1 syntax, quoted strings, several challenges in one header).
 * @see RFC 6750 §3, RFC 9728 §5.1
 */
export async function parseBearerChallenge(
  response: Response,
): Promise<BearerChallenge | undefined> {
  if (response.ok) return undefined;
  let challenges: oauth.WWWAuthenticateChallenge[] = [];
  try {
    // oauth4webapi exposes its parser through the error any processXResponse throws when a
    // response carries a challenge; a revocation response is the one that needs no context.
    await oauth.processRevocationResponse(response.clone());
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError) challenges = error.cause;
  }
  const bearer = challenges.find((challenge) => challenge.scheme === "bearer");
  if (!bearer) return undefined;
  const { resource_metadata, scope, error, error_description } = bearer.parameters;
  return {
    ...(resource_metadata ? { resourceMetadata: resource_metadata } : {}),
    ...(scope ? { scope } : {}),
    ...(error ? { error } : {}),
    ...(error_description ? { errorDescription: error_description } : {}),
  };
}

/**
 * Wraps `fetch` so that the last 401 or 403 it saw is kept: an MCP SDK transport turns those
 * into exceptions, and the response's challenge is what drives refresh or step-up.
 */
export function recordRefusals(baseFetch: typeof fetch = fetch): {
  fetch: typeof fetch;
  lastRefusal: () => Response | undefined;
} {
  let refused: Response | undefined;
  const recording = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await baseFetch(input, init);
    if (response.status === 401 || response.status === 403) refused = response.clone();
    return response;
  }) as typeof fetch;
  return { fetch: recording, lastRefusal: () => refused };
}
