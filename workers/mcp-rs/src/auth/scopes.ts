/** Splits an OAuth `scope` claim into its tokens. @see RFC 6749 §3.3 */
export function parseScopes(scope: unknown): string[] {
  if (typeof scope !== "string") return [];
  return scope.split(" ").filter(Boolean);
}

/** The scopes of `needed` that `granted` lacks. */
export function findMissingScopes(granted: readonly string[], needed: readonly string[]): string[] {
  return needed.filter((scope) => !granted.includes(scope));
}

/** What an operation does with user data; each kind maps to a configured scope. */
export type Access = "read" | "write";

/** Every scope an operation of this kind needs: reading needs read; writing needs read and write. */
export function scopesFor(
  access: ReadonlySet<Access>,
  scopes: { readScope: string; writeScope: string },
): string[] {
  const needed = [scopes.readScope];
  if (access.has("write")) needed.push(scopes.writeScope);
  return needed;
}
