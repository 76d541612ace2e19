import { sha256Base64url } from "@mcp-cognito-workers/http";

/**
 * KV key of a browser session: `session:<base64url(SHA-256(id))>`, so that whoever can list or
 * read KV does not learn a cookie value.
 */
export const sessionKey = async (id: string) => `session:${await sha256Base64url(id)}`;

/** KV key of the DCR registration kept for an authorization server. */
export const registrationKey = (issuer: string) => `registration:${issuer}`;
