// The front door's cookies. On https they are `__Host-` cookies (Secure, Path=/, no Domain); on
// plain-http local development the prefix and Secure cannot be used, so the names go without.

import type { Context } from "hono";
import { getCookie } from "hono/cookie";

/** Lifetime of a transaction's browser binding: the whole sign-in, consent and Cognito's login. */
export const TRANSACTION_TTL_SECONDS = 15 * 60;

function prefix(origin: string): string {
  return origin.startsWith("https:") ? "__Host-" : "";
}

/** The cookie that binds one transaction to the browser that started it. */
export function transactionCookieName(origin: string, transactionId: string): string {
  return `${prefix(origin)}mcp_fd_tx_${transactionId}`;
}

/** The cookie that remembers approvals. */
export function consentCookieName(origin: string): string {
  return `${prefix(origin)}mcp_fd_consent`;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax (the callback arrives by a top-level GET from Cognito). */
export function buildSetCookie(
  origin: string,
  name: string,
  value: string,
  maxAgeSeconds: number,
): string {
  const secure = origin.startsWith("https:") ? "; Secure" : "";
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

/**
 * The `Set-Cookie` of a transaction's browser binding, for the whole sign-in by default; an empty
 * value with a lifetime of 0 clears it.
 */
export function buildBindingCookie(
  origin: string,
  transactionId: string,
  value: string,
  maxAgeSeconds = TRANSACTION_TTL_SECONDS,
): string {
  return buildSetCookie(origin, transactionCookieName(origin, transactionId), value, maxAgeSeconds);
}

/** Reads a cookie of the request. */
export function readCookie(c: Context, name: string): string | undefined {
  return getCookie(c, name);
}
