// How the adapter talks to the suite's servers, and how it reports a failure.

/**
 * How long an MCP request may wait for its answer. The suite starts every scenario of a run at
 * once, and on a busy machine its servers answer later than the SDK's default minute.
 */
const REQUEST_TIMEOUT_MS = 300_000;
/** Request options of every MCP request. */
export const slow = { timeout: REQUEST_TIMEOUT_MS };

/**
 * Sends every request on a new connection. The suite's servers close a keep-alive connection
 * after 5 idle seconds, and on a busy machine a request can leave on one just as it closes
 * (`fetch failed`, the request lost).
 */
export const fetchOnNewConnection: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set("connection", "close");
  return fetch(input, { ...init, headers });
};
/** The network options of the OAuth module. */
export const net = { fetch: fetchOnNewConnection };

/** An error as one line, with its cause (a network failure says what failed there). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}
