/**
 * Whether a browser `Origin` may call `/mcp` and `/v1` (DNS-rebinding defence): the server's own
 * origin, or one of the configured ones, where `*` stands for any port.
 * @see MCP basic/transports, Streamable HTTP "Security Warning"
 */
export function isOriginAllowed(
  origin: string,
  ownOrigin: string,
  allowedOrigins: readonly string[],
): boolean {
  if (origin === ownOrigin) return true;
  return allowedOrigins.some((pattern) => matchesOriginPattern(origin, pattern));
}

function matchesOriginPattern(origin: string, pattern: string): boolean {
  if (!pattern.endsWith(":*")) return origin === pattern;
  const base = pattern.slice(0, -2);
  return origin === base || new RegExp(`^${escapeRegExp(base)}:\\d{1,5}$`).test(origin);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
