/** Options of {@link isAudienceAccepted}. */
export interface AudienceOptions {
  /** Refuse tokens without `aud` (operator switch for pools that bind every token to a resource). */
  requireAudience: boolean;
}

/**
 * Whether a token's `aud` lets it be used here: when present, one value must be exactly the
 * canonical resource (no origin, no prefix, no trailing-slash variant); when absent, only if not
 * required. Cognito sets `aud` only for resource-bound tokens (RFC 8707); ID tokens carry the
 * client id. @see RFC 8707 §2, MCP authorization "Token Audience Binding and Validation"
 */
export function isAudienceAccepted(
  aud: string | string[] | undefined,
  resource: string,
  options: AudienceOptions,
): boolean {
  if (aud === undefined) return !options.requireAudience;
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((value) => value === resource);
}
