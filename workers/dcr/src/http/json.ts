import { OAuthError } from "@mcp-cognito-workers/http";
import { readBodyText } from "../front-door/http";

/** Largest accepted registration request body. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The JSON body of a registration request, as `unknown`. @throws OAuthError 415, 413 or 400 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new OAuthError("invalid_request", "the request body must be application/json", 415);
  // Stops reading as soon as the limit is passed: an oversized body is never held whole.
  const text = await readBodyText(request, MAX_BODY_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthError("invalid_client_metadata", "the request body is not valid JSON");
  }
}

/** A JSON response that no cache keeps (it may carry secrets). @see RFC 7591 §3.2.1 */
export function noStore(body: unknown, status: 200 | 201): Response {
  return Response.json(body, {
    status,
    headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
  });
}
