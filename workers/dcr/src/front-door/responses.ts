// The front door's answers: a page, or a redirect to the client or to Cognito.

import type { OAuthErrorCode } from "@mcp-cognito-workers/http";
import { type AuthorizationRequest, buildRedirect } from "./authorize-request";
import { buildBindingCookie } from "./cookies";
import { pageHeaders, renderErrorPage } from "./pages";

/** An HTML error page (the client's redirect URI is not trusted, or not known). */
export function errorPage(message: string, status: 400 | 403 | 429 | 502 | 503 = 400): Response {
  return new Response(String(renderErrorPage(message)), { status, headers: pageHeaders() });
}

/** A 302 to `location`, never cached, with `cookies` set. */
export function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ Location: location, "Cache-Control": "no-store" });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 302, headers });
}

/** The client's redirect URI with an error. @see RFC 6749 §4.1.2.1 */
export const errorRedirect = (
  issuer: string,
  tx: Pick<AuthorizationRequest, "redirectUri" | "state">,
  error: OAuthErrorCode,
  description: string | undefined,
  cookies: string[] = [],
) =>
  redirect(
    buildRedirect(tx.redirectUri, {
      error,
      error_description: description,
      state: tx.state,
      iss: issuer,
    }),
    cookies,
  );

/** The Set-Cookie that clears a transaction's binding cookie. */
export const clearBinding = (issuer: string, id: string) => buildBindingCookie(issuer, id, "", 0);
