import type { RegistrationPolicy } from "../config";
import { sha256Hex } from "../registration/secrets";
import { cimdDocumentKey } from "../storage/keys";
import { assertCimdUrl, type CimdDocument, CimdError, parseCimdDocument } from "./document";

/** Largest document accepted. @see draft-ietf-oauth-client-id-metadata-document §6.6 */
export const CIMD_MAX_BYTES = 5 * 1024;
/** Time allowed for the whole fetch, headers and body. */
export const CIMD_TIMEOUT_MILLISECONDS = 5_000;
/** Bounds of the cache lifetime (KV's expirationTtl is at least 60 s). */
export const CIMD_CACHE_MIN_SECONDS = 60;
export const CIMD_CACHE_MAX_SECONDS = 24 * 60 * 60;
/** Cache lifetime of a response without a usable Cache-Control. */
export const CIMD_CACHE_DEFAULT_SECONDS = 300;

/** Options of {@link loadCimdDocument}. */
export interface CimdFetchOptions {
  fetch?: typeof fetch;
  allowLocalUrls: boolean;
  policy: RegistrationPolicy;
  /** Cache of validated documents; without it every call fetches. */
  kv?: KVNamespace;
  /** Epoch milliseconds. */
  now?: () => number;
  /** Tests only; defaults to {@link CIMD_TIMEOUT_MILLISECONDS}. */
  timeoutMilliseconds?: number;
}

/** A validated document as cached in KV. */
interface CachedCimdDocument {
  document: CimdDocument;
  /** Epoch milliseconds. */
  fetchedAt: number;
}

/** Seconds to cache a response, from its Cache-Control, clamped to [MIN, MAX]; DEFAULT when absent. */
export function cacheSeconds(cacheControl: string | null): number {
  const directives = new Map<string, string | undefined>();
  for (const part of (cacheControl ?? "").split(",")) {
    const [name = "", value] = part.split("=", 2).map((s) => s.trim());
    if (name !== "") directives.set(name.toLowerCase(), value?.replace(/^"(.*)"$/, "$1"));
  }
  // The cache exists to spare the client's server and our latency; KV cannot hold less than 60 s.
  if (directives.has("no-store") || directives.has("no-cache")) return CIMD_CACHE_MIN_SECONDS;
  // We are a shared cache, so s-maxage wins over max-age. @see RFC 9111 §5.2.2.10
  const raw = directives.get("s-maxage") ?? directives.get("max-age");
  if (raw === undefined || !/^\d+$/.test(raw)) return CIMD_CACHE_DEFAULT_SECONDS;
  return Math.min(CIMD_CACHE_MAX_SECONDS, Math.max(CIMD_CACHE_MIN_SECONDS, Number(raw)));
}

/** What {@link cimdRequest} needs. */
export interface CimdRequestOptions {
  fetch?: typeof fetch;
  signal: AbortSignal;
}

/** GETs a client metadata document without following redirects; returns the raw Response. */
export function cimdRequest(url: URL, options: CimdRequestOptions): Promise<Response> {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  return fetchImpl(url.href, {
    method: "GET",
    redirect: "manual",
    headers: { accept: "application/json" },
    signal: options.signal,
  });
}

/** What {@link processCimdResponse} needs. */
export interface ProcessCimdResponseOptions {
  policy: RegistrationPolicy;
  /** Aborts reading the body (a real fetch's body honours its request signal; a fake's may not). */
  signal?: AbortSignal;
}

/** Checks a client metadata document response and returns the validated document. Throws CimdError. */
export async function processCimdResponse(
  response: Response,
  clientId: string,
  options: ProcessCimdResponseOptions,
): Promise<CimdDocument> {
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new CimdError("the client metadata document redirects; redirects are not followed");
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new CimdError(`the client metadata document answered HTTP ${response.status}, not 200`);
  }
  const length = response.headers.get("content-length");
  if (length !== null && Number(length) > CIMD_MAX_BYTES) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const bytes = await readAtMost(response.body, CIMD_MAX_BYTES, options.signal);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new CimdError("the client metadata document is not valid JSON");
  }
  return parseCimdDocument(body, clientId, options.policy);
}

function tooLarge(): CimdError {
  return new CimdError(`the client metadata document is larger than ${CIMD_MAX_BYTES / 1024} KiB`);
}

/** Reads a body, cancelling it as soon as it passes `maxBytes` or the signal aborts. */
async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(maxBytes);
  if (body === null) return bytes.subarray(0, 0);
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal);
      if (done) return bytes.subarray(0, total);
      if (total + value.byteLength > maxBytes) throw tooLarge();
      bytes.set(value, total);
      total += value.byteLength;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === "TimeoutError");
}

/**
 * Fetches (or reads from the KV cache) and validates a CIMD document. Throws CimdError.
 * @see draft-ietf-oauth-client-id-metadata-document §4
 */
export async function loadCimdDocument(
  clientId: string,
  options: CimdFetchOptions,
): Promise<CimdDocument> {
  const url = assertCimdUrl(clientId, { allowLocalUrls: options.allowLocalUrls });
  const key = options.kv ? cimdDocumentKey(await sha256Hex(url.href)) : undefined;
  if (options.kv && key) {
    const cached = await options.kv.get<CachedCimdDocument>(key, "json");
    if (cached?.document?.clientId === clientId) return cached.document;
  }

  const timeoutMilliseconds = options.timeoutMilliseconds ?? CIMD_TIMEOUT_MILLISECONDS;
  const signal = AbortSignal.timeout(timeoutMilliseconds);
  let response: Response;
  let document: CimdDocument;
  try {
    response = await cimdRequest(url, { fetch: options.fetch, signal });
    document = await processCimdResponse(response, clientId, { policy: options.policy, signal });
  } catch (error) {
    if (error instanceof CimdError) throw error;
    if (isTimeout(error, signal))
      throw new CimdError(
        `the client metadata document did not answer within ${timeoutMilliseconds / 1000} s`,
      );
    // The cause (DNS, TLS, reset) stays with us; the client learns only that the fetch failed.
    throw new CimdError("the client metadata document could not be fetched");
  }

  if (options.kv && key) {
    const entry: CachedCimdDocument = { document, fetchedAt: (options.now ?? Date.now)() };
    await options.kv.put(key, JSON.stringify(entry), {
      expirationTtl: cacheSeconds(response.headers.get("cache-control")),
    });
  }
  return document;
}
