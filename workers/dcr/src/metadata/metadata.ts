import type { RegistrationPolicy } from "../config";
import type { CognitoDiscovery } from "./discovery";

/** The authorization-server metadata MCP clients read. @see RFC 8414 §2 */
export function buildAuthorizationServerMetadata(
  discovery: CognitoDiscovery,
  issuer: string,
  policy: RegistrationPolicy,
  options: { cimdEnabled: boolean } = { cimdEnabled: true },
): Record<string, unknown> {
  const grantTypes = ["authorization_code", "refresh_token"];
  if (policy.allowClientCredentials) grantTypes.push("client_credentials");
  const metadata: Record<string, unknown> = {
    issuer,
    // The front door: every authorization, token and revocation request passes through here.
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/revoke`,
    jwks_uri: discovery.jwks_uri,
    userinfo_endpoint: discovery.userinfo_endpoint,
    registration_endpoint: `${issuer}/register`,
    scopes_supported: policy.allowedScopes.filter((scope) => scope !== "offline_access"),
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: grantTypes,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    revocation_endpoint_auth_methods_supported: [
      "client_secret_basic",
      "client_secret_post",
      "none",
    ],
    code_challenge_methods_supported: ["S256"],
    // RFC 9207: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: options.cimdEnabled,
    subject_types_supported: discovery.subject_types_supported ?? ["public"],
    id_token_signing_alg_values_supported: discovery.id_token_signing_alg_values_supported ?? [
      "RS256",
    ],
  };
  for (const [key, value] of Object.entries(metadata))
    if (value === undefined) delete metadata[key];
  return metadata;
}
