import { randomToken } from "@mcp-cognito-workers/http";
import type { McpAction } from "../mcp/actions";
import type { PendingAuthorization, StepUpState, TokenSet, TraceStep } from "../oauth";
import { deriveAesKey, open, seal } from "./envelope";
import { sessionKey } from "./keys";

/** The two flows, in the order the start page shows them. */
export const FLOWS = ["static", "discovery"] as const;

/** Which of the two flows a sign-in belongs to. */
export type Flow = (typeof FLOWS)[number];

/** Whether `value` names one of the {@link FLOWS} (as in a form's path). */
export function isFlow(value: string): value is Flow {
  return FLOWS.some((flow) => flow === value);
}

/** One flow's sign-in: tokens stay here, server-side, never in a page or URL. */
export interface FlowSignIn {
  issuer: string;
  clientId: string;
  resource: string;
  scopes: string[];
  tokens: TokenSet;
}

/** What the start page shows after an action: a result or a notice. */
export interface FlashResult {
  result?: { title: string; body: unknown };
  notice?: string;
}

/** A browser session (stored record). */
export interface Session {
  id: string;
  csrfToken: string;
  /** The sign-in under way, with the action to run once it is done (after a step-up). */
  pending?: PendingAuthorization & { flow: Flow; stepUp?: StepUpState; replay?: McpAction };
  /** A result to show once on the start page (an action replayed after a step-up). */
  flash?: FlashResult;
  signIns: Partial<Record<Flow, FlowSignIn>>;
  trace: TraceStep[];
  stepUp?: StepUpState;
}

/** Sessions live eight hours after their last write. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

/** A new, empty session with fresh id and CSRF token. */
export function createSession(): Session {
  return { id: randomToken(), csrfToken: randomToken(), signIns: {}, trace: [] };
}

/** HKDF `info` of the key that encrypts a session record. */
const SESSION_KEY_INFO = "mcp-client session v1";

/**
 * The AES-256-GCM key of one session's record, derived from the session id (the cookie value),
 * so KV at rest holds nothing readable without the browser's cookie.
 */
function sessionRecordKey(id: string): Promise<CryptoKey> {
  return deriveAesKey(new TextEncoder().encode(id), SESSION_KEY_INFO);
}

const isSessionId = (id: string | undefined): id is string =>
  !!id && /^[A-Za-z0-9_-]{43}$/.test(id);

/**
 * Reads a session; unknown or malformed ids, and records that do not decrypt or parse, read as
 * none (never an exception).
 */
export async function loadSession(
  kv: KVNamespace,
  id: string | undefined,
): Promise<Session | undefined> {
  if (!isSessionId(id)) return undefined;
  const key = await sessionKey(id);
  const plaintext = await open(await sessionRecordKey(id), await kv.get(key), key);
  if (plaintext === undefined) return undefined;
  try {
    const session = JSON.parse(plaintext) as Session | null;
    return session && typeof session === "object" && session.id === id ? session : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a session (encrypted), renewing its lifetime. */
export async function saveSession(kv: KVNamespace, session: Session): Promise<void> {
  const key = await sessionKey(session.id);
  const sealed = await seal(await sessionRecordKey(session.id), JSON.stringify(session), key);
  await kv.put(key, sealed, { expirationTtl: SESSION_TTL_SECONDS });
}

/** Deletes a session. */
export async function deleteSession(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(await sessionKey(id));
}
