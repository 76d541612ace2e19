import { isLoopbackHost } from "@mcp-cognito-workers/http";
import { isWrittenAsParsed } from "../registration/redirect-uri";

function loopbackUrl(uri: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" || !isLoopbackHost(url.hostname)) return undefined;
  // Only a URI in its canonical form (or an origin alone) can match on a parsed comparison.
  if (!isWrittenAsParsed(uri, url)) return undefined;
  return url;
}

/** Whether `uri` is an `http` redirect URI on a loopback host. */
export function isLoopbackRedirect(uri: string): boolean {
  return loopbackUrl(uri) !== undefined;
}

/**
 * The redirect URI an authorization request may use, or undefined when it is not registered.
 * Exact string comparison, except that a loopback `http` redirect matches a registered one with
 * the same host, path and query on any port. An absent `requested` is allowed only when exactly
 * one URI is registered. @see OAuth 2.1 §4.1.1, RFC 8252 §7.3
 */
export function matchRedirectUri(
  registered: readonly string[],
  requested: string | undefined,
): string | undefined {
  if (requested === undefined) return registered.length === 1 ? registered[0] : undefined;
  if (registered.includes(requested)) return requested;
  const asked = loopbackUrl(requested);
  if (!asked) return undefined;
  asked.port = "";
  for (const candidate of registered) {
    const url = loopbackUrl(candidate);
    if (!url) continue;
    url.port = "";
    if (url.href === asked.href) return requested;
  }
  return undefined;
}
