import type { PendingAuthorization, StepUpState, TokenSet, TraceStep } from "../oauth";
import { sessionKey } from "./keys";

/** Which of the two flows a sign-in belongs to. */
export type Flow = "static" | "discovery";

/** One flow's sign-in: tokens stay here, server-side, never in a page or URL. */
export interface FlowSignIn {
  issuer: string;
  resource: string;
  scopes: string[];
  tokens: TokenSet;
}

/** A browser session (stored record). */
export interface Session {
  id: string;
  csrfToken: string;
  pending?: PendingAuthorization & { flow: Flow; stepUp?: StepUpState };
  signIns: Partial<Record<Flow, FlowSignIn>>;
  trace: TraceStep[];
  stepUp?: StepUpState;
}

/** Sessions live eight hours after their last write. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/** A new, empty session with fresh id and CSRF token. */
export function createSession(): Session {
  return { id: randomId(), csrfToken: randomId(), signIns: {}, trace: [] };
}

/** Reads a session; unknown or malformed ids read as none. */
export async function loadSession(kv: KVNamespace, id: string | undefined) {
  if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  return (await kv.get<Session>(sessionKey(id), "json")) ?? undefined;
}

/** Writes a session, renewing its lifetime. */
export async function saveSession(kv: KVNamespace, session: Session): Promise<void> {
  await kv.put(sessionKey(session.id), JSON.stringify(session), {
    expirationTtl: SESSION_TTL_SECONDS,
  });
}

/** Deletes a session. */
export async function deleteSession(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(sessionKey(id));
}

/** The session cookie's name: `__Host-` on https, so no subdomain or path can set it. */
export function sessionCookieName(origin: URL): string {
  return origin.protocol === "https:" ? "__Host-mcp_client_session" : "mcp_client_session";
}

/** Constant-time comparison of two strings (CSRF tokens). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  return left.byteLength === right.byteLength && crypto.subtle.timingSafeEqual(left, right);
}
