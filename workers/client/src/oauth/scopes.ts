import { OAuthClientError } from "./errors";

/** Splits a space-separated scope string into distinct scopes, in order. */
export function parseScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(" ").filter(Boolean))];
}

/** The union of scope lists, in first-seen order. */
export function unionScopes(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

/**
 * Which scopes to ask for: the challenge's `scope`, else the PRM's `scopes_supported`, else none
 * (the parameter is omitted).
 * @see MCP authorization 2025-11-25, "Scope Selection Strategy"
 */
export function selectScopes(
  challengeScope: string | undefined,
  scopesSupported: readonly string[] | undefined,
): string[] {
  const fromChallenge = parseScopes(challengeScope);
  if (fromChallenge.length > 0) return fromChallenge;
  return [...new Set(scopesSupported ?? [])];
}

/** Step-up state kept in the session between attempts. */
export interface StepUpState {
  requested: string[];
  attempts: number;
}

/** Options of {@link planStepUp}. */
export interface StepUpOptions {
  maxAttempts: number;
}

/**
 * The next authorization after a 403 `insufficient_scope`: the union of the scopes requested so
 * far and those challenged; refuses once `maxAttempts` step-ups were made, or when the challenge
 * asks for nothing new (re-authorizing would loop).
 * @see MCP authorization 2025-11-25, "Step-Up Authorization Flow"
 */
export function planStepUp(
  state: StepUpState,
  challengeScope: string | undefined,
  options: StepUpOptions,
): StepUpState {
  if (state.attempts >= options.maxAttempts) {
    throw new OAuthClientError(
      "step_up_limit",
      `gave up after ${state.attempts} step-up authorization(s)`,
    );
  }
  const requested = unionScopes(state.requested, parseScopes(challengeScope));
  if (requested.length === state.requested.length && state.attempts > 0) {
    throw new OAuthClientError(
      "step_up_limit",
      "the server still refuses after it was granted every scope it asked for",
    );
  }
  return { requested, attempts: state.attempts + 1 };
}

/**
 * Adds `offline_access` when scopes are asked for and the authorization server lists it in
 * `scopes_supported` (the client wants a refresh token); otherwise the scopes as they are.
 * @see MCP authorization 2026-07-28, "Refresh Tokens"
 */
export function withOfflineAccess(
  scopes: string[],
  scopesSupported: readonly string[] | undefined,
): string[] {
  if (scopes.length === 0 || !scopesSupported?.includes("offline_access")) return scopes;
  return unionScopes(scopes, ["offline_access"]);
}
