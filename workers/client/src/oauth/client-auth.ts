// Client authentication at the token endpoint: oauth4webapi's client for a registration.

import * as oauth from "oauth4webapi";
import type { ClientRegistration } from "./registration";

/** The oauth4webapi client and client authentication for a registration. */
export function toOAuthClient(registration: ClientRegistration): {
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
} {
  const client: oauth.Client = {
    client_id: registration.clientId,
    token_endpoint_auth_method: registration.tokenEndpointAuthMethod,
  };
  const secret = registration.clientSecret;
  if (registration.tokenEndpointAuthMethod === "none" || secret === undefined) {
    return { client, clientAuth: oauth.None() };
  }
  return {
    client,
    clientAuth:
      registration.tokenEndpointAuthMethod === "client_secret_basic"
        ? clientSecretBasic(secret)
        : oauth.ClientSecretPost(secret),
  };
}

/** application/x-www-form-urlencoded serialization of one value (WHATWG URL standard). */
function formEncode(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}

/**
 * HTTP Basic client authentication with RFC 6749 §2.3.1's form-encoding of id and secret, done
 * with the WHATWG serializer: it leaves letters, digits and `*-._` as they are, where
 * oauth4webapi's `ClientSecretBasic` also escapes `-`, `.` and `_`. Servers that compare the
 * credentials without decoding them (many do) then still match ordinary client ids.
 */
export function clientSecretBasic(secret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = `${formEncode(client.client_id)}:${formEncode(secret)}`;
    headers.set("authorization", `Basic ${btoa(credentials)}`);
  };
}
