/** Values of a challenge's auth-params; an array is joined with spaces (as `scope` is). */
export type ChallengeParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Builds a `Bearer` challenge for `WWW-Authenticate`: params in the order given, each a quoted
 * string with `\` and `"` escaped and control characters replaced by spaces; undefined values and
 * empty arrays are left out; no params gives `Bearer` alone.
 * @see RFC 6750 §3, RFC 9110 §11.6.1 and §5.6.4, RFC 9728 §5.1
 */
export function buildBearerChallenge(params: ChallengeParams = {}): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text = typeof value === "string" ? value : value.join(" ");
    if (typeof value !== "string" && text === "") continue;
    parts.push(`${name}=${quoteString(text)}`);
  }
  return parts.length > 0 ? `Bearer ${parts.join(", ")}` : "Bearer";
}

/** A quoted-string: control characters (not allowed in one) become spaces, `\` and `"` escaped. */
function quoteString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, " ");
  return `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** What an `Authorization` header holds, as far as the Bearer scheme goes. */
export type BearerAuthorization =
  /** No header, or another scheme (Basic...). */
  | { kind: "absent" }
  /** The Bearer scheme, but not followed by exactly one b64token. */
  | { kind: "malformed" }
  | { kind: "token"; token: string };

// credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110 §11.1).
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?:\s|$)/i;

/**
 * Reads an `Authorization` header: a Bearer token, a Bearer header that is malformed (to answer
 * 400 `invalid_request`), or no Bearer credentials at all.
 * @see RFC 6750 §2.1, §3.1
 */
export function parseBearerAuthorization(header: string | null | undefined): BearerAuthorization {
  if (header === null || header === undefined || !BEARER_SCHEME.test(header))
    return { kind: "absent" };
  const token = BEARER_CREDENTIALS.exec(header)?.[1];
  return token === undefined ? { kind: "malformed" } : { kind: "token", token };
}

/**
 * The Bearer token of a request, its headers or an `Authorization` value; undefined when there is
 * none or the header is malformed (see {@link parseBearerAuthorization} to tell them apart).
 * @see RFC 6750 §2.1
 */
export function extractBearerToken(
  source: Request | Headers | string | null | undefined,
): string | undefined {
  const header =
    source instanceof Request
      ? source.headers.get("authorization")
      : source instanceof Headers
        ? source.get("authorization")
        : source;
  const credentials = parseBearerAuthorization(header);
  return credentials.kind === "token" ? credentials.token : undefined;
}
