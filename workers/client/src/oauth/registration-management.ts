// RFC 7592 client configuration: the read that tells whether a stored registration is still known.

import { assertSafeUrl, type OAuthHttpOptions } from "./http";
import type { ClientRegistration } from "./registration";

/**
 * RFC 7592 §2.1 read request for a stored registration (Bearer registration access token).
 * Returns the raw response; {@link processReadRegistrationResponse} judges it.
 */
export async function readRegistrationRequest(
  registration: ClientRegistration,
  options: OAuthHttpOptions = {},
): Promise<Response> {
  if (!registration.registrationClientUri || !registration.registrationAccessToken) {
    throw new TypeError("the registration has no registration_client_uri and access token");
  }
  const url = new URL(registration.registrationClientUri);
  assertSafeUrl(url, "registration_client_uri");
  const response = await (options.fetch ?? fetch)(url.href, {
    headers: {
      accept: "application/json",
      authorization: `Bearer ${registration.registrationAccessToken}`,
    },
    redirect: "manual",
  });
  options.trace?.({
    step: "stored registration checked (RFC 7592)",
    url: url.href,
    status: response.status,
  });
  return response;
}

/**
 * What a read answer says of the registration: `known` (200), `unknown` (401, 403 or 404: RFC
 * 7592 §2.1 answers 401 for a client the server no longer has), else `unverified` (an outage
 * says nothing about the client, which is kept).
 */
export async function processReadRegistrationResponse(
  response: Response,
): Promise<"known" | "unknown" | "unverified"> {
  await response.body?.cancel();
  if (response.status === 200) return "known";
  if (response.status === 401 || response.status === 403 || response.status === 404)
    return "unknown";
  return "unverified";
}
