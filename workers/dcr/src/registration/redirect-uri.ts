import { isLoopbackHost, OAuthError } from "@mcp-cognito-workers/http";

/** Cognito's limits on CallbackURLs. */
export const MAX_REDIRECT_URIS = 100;
export const MAX_REDIRECT_URI_LENGTH = 1024;

/** Schemes that are not private-use schemes of a native app. */
const FORBIDDEN_SCHEMES = new Set([
  "javascript",
  "data",
  "file",
  "vbscript",
  "about",
  "blob",
  "ftp",
  "ws",
  "wss",
  "http",
  "https",
]);

/**
 * Whether `uri` is written as the URL parser reads it (`url.href`), or is an origin alone with no
 * path, as VS Code registers `http://127.0.0.1:33418`: the parser reads that one with the root
 * path `/` added, which names the same resource (RFC 3986 §6.2.3).
 */
export function isWrittenAsParsed(uri: string, url: URL): boolean {
  return url.href === uri || (url.href === `${uri}/` && url.pathname === "/" && url.search === "");
}

function reject(description: string): never {
  throw new OAuthError("invalid_redirect_uri", description);
}

/** Options of {@link assertRedirectUri}. */
export interface RedirectUriOptions {
  applicationType: "web" | "native" | undefined;
  allowPatterns: RegExp[];
}

/**
 * Checks one redirect URI: https, loopback http, or a private-use scheme (native apps); no
 * fragment, wildcard, userinfo or whitespace; within Cognito's limits and the allow-list.
 * @see RFC 8252 §7, OAuth 2.1 §2.3.1
 */
export function assertRedirectUri(uri: string, options: RedirectUriOptions): void {
  const shown = JSON.stringify(uri.length > 80 ? `${uri.slice(0, 80)}...` : uri);
  if (uri.length === 0 || uri.length > MAX_REDIRECT_URI_LENGTH)
    reject(`"redirect_uris" entries must be 1-${MAX_REDIRECT_URI_LENGTH} characters`);
  if (/\s/.test(uri)) reject(`"redirect_uris" entry ${shown} contains whitespace`);
  if (uri.includes("#")) reject(`"redirect_uris" entry ${shown} must not contain a fragment`);
  if (uri.includes("*")) reject(`"redirect_uris" entry ${shown} must not contain a wildcard`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    reject(`"redirect_uris" entry ${shown} is not an absolute URI`);
  }
  if (url.username !== "" || url.password !== "" || /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(uri))
    reject(`"redirect_uris" entry ${shown} must not contain userinfo`);
  // Matched as parsed: a URI that the URL parser reads otherwise than it is written (a backslash,
  // upper-case host, default port, dot segments) could pass a pattern yet lead elsewhere.
  if (!isWrittenAsParsed(uri, url))
    reject(
      `"redirect_uris" entry ${shown} must be written in normalized form: ${JSON.stringify(url.href)}`,
    );
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === "https") {
    if (url.hostname === "") reject(`"redirect_uris" entry ${shown} has no host`);
  } else if (scheme === "http") {
    if (!isLoopbackHost(url.hostname))
      reject(`"redirect_uris" entry ${shown}: http is allowed only for localhost and loopback IPs`);
  } else if (FORBIDDEN_SCHEMES.has(scheme)) {
    reject(`"redirect_uris" entry ${shown} uses a forbidden scheme`);
  } else if (options.applicationType === "web") {
    reject(`"redirect_uris" entry ${shown}: web clients must use https or loopback http`);
  }
  if (
    options.allowPatterns.length > 0 &&
    !options.allowPatterns.some((pattern) => pattern.test(uri))
  )
    reject(`"redirect_uris" entry ${shown} is not allowed by this server's policy`);
}

/** Checks `redirect_uris`: required, a non-empty array of distinct valid URIs. */
export function parseRedirectUris(value: unknown, options: RedirectUriOptions): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item) => typeof item === "string")
  )
    reject('"redirect_uris" must be a non-empty array of strings');
  if (value.length > MAX_REDIRECT_URIS)
    reject(`"redirect_uris" must have at most ${MAX_REDIRECT_URIS} entries`);
  if (new Set(value).size !== value.length) reject('"redirect_uris" must not repeat an entry');
  for (const uri of value) assertRedirectUri(uri, options);
  return value;
}
