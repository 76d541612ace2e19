import { OAuthError } from "@mcp-cognito-workers/http";

/** Largest form accepted by the token, revocation and decision endpoints. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * Reads a request body as text, refusing one larger than `maxBytes` before it is all read.
 * @throws OAuthError 413
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes)
    throw new OAuthError("invalid_request", "the request body is too large", 413);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new OAuthError("invalid_request", "the request body is too large", 413);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Reads an `application/x-www-form-urlencoded` body into single values; a repeated parameter is
 * `invalid_request`. @see RFC 6749 §3.2
 */
export async function readForm(request: Request, maxBytes: number): Promise<Map<string, string>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type))
    throw new OAuthError(
      "invalid_request",
      "the request body must be application/x-www-form-urlencoded",
      415,
    );
  return singleValues(new URLSearchParams(await readBodyText(request, maxBytes)));
}

/** Parameters as single values; a repeated parameter is `invalid_request`. */
export function singleValues(params: URLSearchParams): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    if (values.has(name)) throw new OAuthError("invalid_request", `"${name}" must not be repeated`);
    values.set(name, value);
  }
  return values;
}
