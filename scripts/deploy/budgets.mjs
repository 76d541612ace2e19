// Bundle size budgets, in KiB of gzip, in one place.

/**
 * Gzip budget of each worker's bundle. mcp-rs: 150 KiB (its issue; MCP SDK 2.x, minified); the
 * others get room to grow without hiding a runaway dependency.
 */
export const BUNDLE_BUDGETS_GZIP_KIB = Object.freeze({
  "mcp-rs": 150,
  dcr: 100,
  client: 200,
});

/** Budget of a worker not listed above. */
export const DEFAULT_BUDGET_GZIP_KIB = 200;

/** A worker's budget, with overrides (`--budget name=KiB`) taking precedence. */
export function budgetFor(name, overrides = {}) {
  return overrides[name] ?? BUNDLE_BUDGETS_GZIP_KIB[name] ?? DEFAULT_BUDGET_GZIP_KIB;
}

/** Parses `name=KiB` budget overrides; throws `TypeError` on a malformed one. */
export function parseBudgetOverrides(values) {
  const overrides = {};
  for (const value of values) {
    const match = /^([a-z0-9-]+)=(\d+(?:\.\d+)?)$/.exec(value);
    if (!match) throw new TypeError(`"--budget" must look like name=KiB, got "${value}"`);
    overrides[match[1]] = Number(match[2]);
  }
  return overrides;
}
