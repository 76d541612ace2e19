// The pages' Content-Security-Policy. Chromium checks `form-action` on the form's own target and
// on every redirect of the navigation it starts, so a sign-in begun from a form must list each
// origin it passes through before it lands back here.

/** How long the origins of {@link cacheFormActionOrigins} are kept (per isolate). */
export const FORM_ACTION_ORIGINS_TTL_SECONDS = 300;

/**
 * The policy of every page: no script, this site's stylesheet, no framing, and forms that may
 * lead only here and to `formActionOrigins`.
 * @see CSP Level 3 §6.4.1 (form-action)
 */
export function buildContentSecurityPolicy(formActionOrigins: readonly string[] = []): string {
  const formAction = ["'self'", ...new Set(formActionOrigins)].join(" ");
  return `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

/** What {@link cacheFormActionOrigins} resolves: the origins found, and whether all were. */
export interface FormActionOrigins {
  origins: string[];
  complete: boolean;
}

/**
 * A per-isolate memo of the origins a form may lead to, kept {@link FORM_ACTION_ORIGINS_TTL_SECONDS}
 * per `key`; an incomplete answer (an authorization server that could not be reached) is used
 * once and asked for again next time.
 */
export function cacheFormActionOrigins(now: () => number) {
  let cached: { key: string; origins: string[]; until: number } | undefined;
  return async (key: string, resolve: () => Promise<FormActionOrigins>): Promise<string[]> => {
    if (cached && cached.key === key && cached.until > now()) return cached.origins;
    const { origins, complete } = await resolve();
    cached = complete
      ? { key, origins, until: now() + FORM_ACTION_ORIGINS_TTL_SECONDS * 1000 }
      : undefined;
    return origins;
  };
}
