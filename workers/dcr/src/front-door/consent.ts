// Remembered approvals: one sealed cookie per browser, listing (client, scopes, expiry) grants.
import { sha256Base64url } from "@mcp-cognito-workers/http";
import { openValue, type SealOptions, sealValue } from "./seal";

/** At most this many clients are remembered per browser; the oldest approvals go first. */
export const MAX_REMEMBERED_CLIENTS = 20;

interface Grant {
  /** base64url SHA-256 of the client_id. */
  c: string;
  /** Approved scopes. */
  s: string[];
  /** Expiry, epoch seconds. */
  e: number;
}

interface ConsentCookie {
  grants: Grant[];
}

async function readGrants(cookie: string | undefined, options: SealOptions): Promise<Grant[]> {
  const body = await openValue<ConsentCookie>("consent", cookie, options);
  const nowSeconds = Math.floor(options.now() / 1000);
  return Array.isArray(body?.grants) ? body.grants.filter((grant) => grant.e > nowSeconds) : [];
}

/** Whether this browser has approved `clientId` for every scope in `scope` and the approval holds. */
export async function isRemembered(
  cookie: string | undefined,
  clientId: string,
  scope: string,
  options: SealOptions,
): Promise<boolean> {
  const grants = await readGrants(cookie, options);
  const id = await sha256Base64url(clientId);
  const grant = grants.find((g) => g.c === id);
  if (!grant) return false;
  return scope.split(" ").every((s) => s === "" || grant.s.includes(s));
}

/**
 * The cookie value after approving `clientId` for `scope`, valid `ttlSeconds`: scopes already
 * approved are kept, so that a grown request is asked for once.
 */
export async function rememberApproval(
  cookie: string | undefined,
  clientId: string,
  scope: string,
  ttlSeconds: number,
  options: SealOptions,
): Promise<string> {
  const grants = await readGrants(cookie, options);
  const id = await sha256Base64url(clientId);
  const previous = grants.find((g) => g.c === id);
  const scopes = [...new Set([...(previous?.s ?? []), ...scope.split(" ").filter(Boolean)])];
  const expiry = Math.floor(options.now() / 1000) + ttlSeconds;
  const next = [...grants.filter((g) => g.c !== id), { c: id, s: scopes, e: expiry }].slice(
    -MAX_REMEMBERED_CLIENTS,
  );
  return sealValue<ConsentCookie>("consent", { grants: next }, ttlSeconds, options);
}
