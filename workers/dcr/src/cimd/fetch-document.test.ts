import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RegistrationPolicy } from "../config";
import { sha256Hex } from "../registration/secrets";
import { cimdDocumentKey } from "../storage/keys";
import { CimdError } from "./document";
import {
  CIMD_CACHE_DEFAULT_SECONDS,
  CIMD_CACHE_MAX_SECONDS,
  CIMD_CACHE_MIN_SECONDS,
  CIMD_MAX_BYTES,
  CIMD_TIMEOUT_MILLISECONDS,
  type CimdFetchOptions,
  cacheSeconds,
  loadCimdDocument,
} from "./fetch-document";

const POLICY: RegistrationPolicy = {
  allowedScopes: ["openid", "mcp-api/read", "mcp-api/write"],
  defaultScopes: ["openid", "mcp-api/read"],
  stepUpScopes: ["mcp-api/write"],
  allowClientCredentials: false,
  redirectUriAllowPatterns: [],
  accessTokenMinutes: 15,
};
/** A fixed clock: 2026-11-26T00:00:00Z. */
const NOW = Date.UTC(2026, 10, 26);
const ENCODER = new TextEncoder();

let urlCounter = 0;
/** A fresh client URL per test, so cache entries never leak between tests. */
function newClientId(): string {
  urlCounter++;
  return `https://client${urlCounter}.example.com/oauth/client.json`;
}

function documentOf(clientId: string, fields: Record<string, unknown> = {}) {
  return {
    client_id: clientId,
    client_name: "Example",
    redirect_uris: ["https://client.example.com/callback"],
    ...fields,
  };
}

interface FetchCall {
  url: string;
  init: RequestInit | undefined;
}

/** An injected fetch that records its calls and answers with `respond`. */
function fakeFetch(respond: (call: FetchCall) => Response | Promise<Response>) {
  const calls: FetchCall[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init };
    calls.push(call);
    return respond(call);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function options(fetch: typeof globalThis.fetch, extra: Partial<CimdFetchOptions> = {}) {
  return { fetch, allowLocalUrls: false, policy: POLICY, now: () => NOW, ...extra };
}

/** A body of 1 KiB chunks that never ends; counts pulls and notices cancellation. */
function endlessBody() {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected a refusal").toBeDefined();
  return error;
}

async function expectRefused(promise: Promise<unknown>, message: string) {
  const error = await refusal(promise);
  expect(error).toBeInstanceOf(CimdError);
  expect(error).toMatchObject({ message });
}

describe("cacheSeconds: Cache-Control clamped to [60 s, 24 h]", () => {
  it.each([
    [null, CIMD_CACHE_DEFAULT_SECONDS],
    ["", CIMD_CACHE_DEFAULT_SECONDS],
    ["public", CIMD_CACHE_DEFAULT_SECONDS],
    ["max-age=abc", CIMD_CACHE_DEFAULT_SECONDS],
    ["max-age=-5", CIMD_CACHE_DEFAULT_SECONDS],
    ["max-age=600", 600],
    ["public, MAX-AGE=600", 600],
    ['max-age="900"', 900],
    ["max-age=0", CIMD_CACHE_MIN_SECONDS],
    ["max-age=10", CIMD_CACHE_MIN_SECONDS],
    ["max-age=31536000", CIMD_CACHE_MAX_SECONDS],
    ["max-age=600, s-maxage=120", 120],
    ["s-maxage=7200", 7200],
    ["no-store", CIMD_CACHE_MIN_SECONDS],
    ["no-cache", CIMD_CACHE_MIN_SECONDS],
    ["max-age=3600, no-store", CIMD_CACHE_MIN_SECONDS],
  ])("%j → %d", (header, expected) => {
    expect(cacheSeconds(header)).toBe(expected);
  });

  it("has bounds KV accepts", () => {
    expect(CIMD_CACHE_MIN_SECONDS).toBe(60);
    expect(CIMD_CACHE_MAX_SECONDS).toBe(86_400);
    expect(CIMD_CACHE_DEFAULT_SECONDS).toBe(300);
  });
});

describe("cimdDocumentKey: cimd-doc:<sha256 of the URL>", () => {
  it("prefixes the hash", () => {
    expect(cimdDocumentKey("ab12")).toBe("cimd-doc:ab12");
  });
});

describe("loadCimdDocument: fetching a valid document", () => {
  it("GETs the URL once, without following redirects, and returns the validated document", async () => {
    const clientId = newClientId();
    const { fetch, calls } = fakeFetch(() => Response.json(documentOf(clientId)));
    expect(await loadCimdDocument(clientId, options(fetch))).toStrictEqual({
      clientId,
      clientName: "Example",
      redirectUris: ["https://client.example.com/callback"],
      scope: "openid mcp-api/read mcp-api/write",
    });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe(clientId);
    expect(call?.init?.method).toBe("GET");
    expect(call?.init?.redirect).toBe("manual");
    expect(new Headers(call?.init?.headers).get("accept")).toBe("application/json");
    expect(call?.init?.signal).toBeInstanceOf(AbortSignal);
    expect(CIMD_TIMEOUT_MILLISECONDS).toBe(5_000);
  });

  it("accepts a local http URL when local URLs are allowed", async () => {
    const clientId = "http://localhost:3000/client.json";
    const { fetch, calls } = fakeFetch(() =>
      Response.json(documentOf(clientId, { redirect_uris: ["http://localhost:3000/cb"] })),
    );
    const document = await loadCimdDocument(clientId, options(fetch, { allowLocalUrls: true }));
    expect(document.clientId).toBe(clientId);
    expect(calls).toHaveLength(1);
  });

  it("accepts exactly 5 KiB", async () => {
    const clientId = newClientId();
    const json = JSON.stringify(documentOf(clientId));
    const body = json.padEnd(CIMD_MAX_BYTES, " ");
    const { fetch } = fakeFetch(() => new Response(body));
    expect((await loadCimdDocument(clientId, options(fetch))).clientId).toBe(clientId);
  });

  it("accepts a UTF-8 byte order mark", async () => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(
      () => new Response(`\uFEFF${JSON.stringify(documentOf(clientId))}`),
    );
    expect((await loadCimdDocument(clientId, options(fetch))).clientId).toBe(clientId);
  });
});

describe("loadCimdDocument: a refused URL is never fetched (SSRF guard first)", () => {
  it.each([
    ["http://client.example.com/c.json", "client_id URL must use https"],
    ["https://169.254.169.254/latest", "client_id URL must use a DNS name, not an IP address"],
    [
      "https://metadata.google.internal/c.json",
      'client_id URL host "metadata.google.internal" is a local or reserved name',
    ],
    ["https://client.example.com/", 'client_id URL must have a path other than "/"'],
  ])("%s", async (clientId, message) => {
    const { fetch, calls } = fakeFetch(() => Response.json(documentOf(clientId)));
    await expectRefused(
      loadCimdDocument(clientId, options(fetch, { kv: env.REGISTRATIONS })),
      message,
    );
    expect(calls).toHaveLength(0);
  });
});

describe("loadCimdDocument: redirects are not followed", () => {
  it.each([301, 302, 303, 307, 308])("refuses a %d", async (status) => {
    const clientId = newClientId();
    const { fetch, calls } = fakeFetch(
      () =>
        new Response(null, { status, headers: { location: "https://evil.example.com/c.json" } }),
    );
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document redirects; redirects are not followed",
    );
    expect(calls).toHaveLength(1);
  });
});

describe("loadCimdDocument: only a 200 is a document", () => {
  it.each([201, 204, 404, 500, 503])("refuses a %d", async (status) => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(
      () => new Response(status === 204 ? null : JSON.stringify(documentOf(clientId)), { status }),
    );
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      `the client metadata document answered HTTP ${status}, not 200`,
    );
  });
});

describe("loadCimdDocument: a document is at most 5 KiB", () => {
  it("refuses 5 KiB + 1 byte", async () => {
    const clientId = newClientId();
    const body = JSON.stringify(documentOf(clientId)).padEnd(CIMD_MAX_BYTES + 1, " ");
    const { fetch } = fakeFetch(() => new Response(body));
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document is larger than 5 KiB",
    );
  });

  it("stops reading an endless body without Content-Length as soon as it passes the limit", async () => {
    const clientId = newClientId();
    const { stream, state } = endlessBody();
    const { fetch } = fakeFetch(() => new Response(stream));
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document is larger than 5 KiB",
    );
    expect(state.pulls).toBeGreaterThan(5);
    expect(state.pulls).toBeLessThanOrEqual(7);
    expect(state.cancelled).toBe(true);
  });

  it("refuses before reading when Content-Length says too large", async () => {
    const clientId = newClientId();
    const { stream, state } = endlessBody();
    const response = new Response(stream, { headers: { "content-length": "6000" } });
    expect(response.headers.get("content-length")).toBe("6000");
    const { fetch } = fakeFetch(() => response);
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document is larger than 5 KiB",
    );
    expect(state.pulls).toBe(0);
  });
});

describe("loadCimdDocument: the body is JSON", () => {
  it.each([
    ["not json", ENCODER.encode("<html>hello</html>")],
    ["empty", new Uint8Array()],
    ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ])("refuses %s", async (_, bytes) => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(() => new Response(bytes));
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document is not valid JSON",
    );
  });

  it("passes the document's own refusal through", async () => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(() =>
      Response.json(documentOf(clientId, { client_id: "https://other.example.com/c.json" })),
    );
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      'client_id in the document ("https://other.example.com/c.json") does not equal its URL',
    );
  });
});

describe("loadCimdDocument: the fetch must answer within 5 s", () => {
  it("maps fetch's TimeoutError to a refusal naming 5 s", async () => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(() => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    });
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document did not answer within 5 s",
    );
  });

  it("aborts a fetch that never answers through its signal", async () => {
    const clientId = newClientId();
    let aborted = false;
    const { fetch } = fakeFetch(
      ({ init }) =>
        new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(init.signal?.reason);
          });
        }),
    );
    await expectRefused(
      loadCimdDocument(clientId, options(fetch, { timeoutMilliseconds: 1 })),
      "the client metadata document did not answer within 0.001 s",
    );
    expect(aborted).toBe(true);
  });

  it("aborts a body that stalls after the headers", async () => {
    const clientId = newClientId();
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(ENCODER.encode('{"client_id":'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { fetch } = fakeFetch(() => new Response(stalled));
    await expectRefused(
      loadCimdDocument(clientId, options(fetch, { timeoutMilliseconds: 1 })),
      "the client metadata document did not answer within 0.001 s",
    );
    expect(cancelled).toBe(true);
  });
});

describe("loadCimdDocument: a network error is a refusal without its cause", () => {
  it("refuses when fetch throws", async () => {
    const clientId = newClientId();
    const { fetch, calls } = fakeFetch(() => {
      throw new TypeError("internal error; reference = 0123abcd (10.0.0.7)");
    });
    await expectRefused(
      loadCimdDocument(clientId, options(fetch)),
      "the client metadata document could not be fetched",
    );
    expect(calls).toHaveLength(1);
  });
});

describe("loadCimdDocument: the KV cache of validated documents", () => {
  const kv = env.REGISTRATIONS;

  async function storedExpiration(key: string): Promise<number | undefined> {
    const { keys } = await kv.list({ prefix: key });
    return keys.find((entry) => entry.name === key)?.expiration;
  }

  it("stores {document, fetchedAt} under cimd-doc:<sha256(url)> and answers the next call from it", async () => {
    const clientId = newClientId();
    const { fetch, calls } = fakeFetch(() => Response.json(documentOf(clientId)));
    const first = await loadCimdDocument(clientId, options(fetch, { kv }));
    const key = cimdDocumentKey(await sha256Hex(clientId));
    expect(await kv.get(key, "json")).toStrictEqual({ document: first, fetchedAt: NOW });

    const second = await loadCimdDocument(clientId, options(fetch, { kv }));
    expect(second).toStrictEqual(first);
    expect(calls).toHaveLength(1);
  });

  it("keeps a document without Cache-Control for 300 s", async () => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(() => Response.json(documentOf(clientId)));
    await loadCimdDocument(clientId, options(fetch, { kv }));
    const expiration = await storedExpiration(cimdDocumentKey(await sha256Hex(clientId)));
    expect(expiration).toBeCloseTo(Date.now() / 1000 + CIMD_CACHE_DEFAULT_SECONDS, -1);
  });

  it.each([
    ["max-age=31536000", CIMD_CACHE_MAX_SECONDS],
    ["max-age=5", CIMD_CACHE_MIN_SECONDS],
    ["no-store", CIMD_CACHE_MIN_SECONDS],
    ["max-age=60, s-maxage=3600", 3600],
  ])("honours Cache-Control %j within the clamp (%d s)", async (header, seconds) => {
    const clientId = newClientId();
    const { fetch } = fakeFetch(() =>
      Response.json(documentOf(clientId), { headers: { "cache-control": header } }),
    );
    await loadCimdDocument(clientId, options(fetch, { kv }));
    const expiration = await storedExpiration(cimdDocumentKey(await sha256Hex(clientId)));
    expect(expiration).toBeCloseTo(Date.now() / 1000 + seconds, -1);
  });

  it("does not cache a refused document", async () => {
    const clientId = newClientId();
    const { fetch, calls } = fakeFetch(() =>
      Response.json(documentOf(clientId, { token_endpoint_auth_method: "private_key_jwt" })),
    );
    await expect(loadCimdDocument(clientId, options(fetch, { kv }))).rejects.toThrow(CimdError);
    await expect(loadCimdDocument(clientId, options(fetch, { kv }))).rejects.toThrow(CimdError);
    expect(calls).toHaveLength(2);
    expect(await kv.get(cimdDocumentKey(await sha256Hex(clientId)))).toBeNull();
  });

  it("fetches every time without a KV namespace", async () => {
    const clientId = newClientId();
    const { fetch, calls } = fakeFetch(() => Response.json(documentOf(clientId)));
    await loadCimdDocument(clientId, options(fetch));
    await loadCimdDocument(clientId, options(fetch));
    expect(calls).toHaveLength(2);
  });

  it("ignores a cached entry that is not for this URL", async () => {
    const clientId = newClientId();
    const key = cimdDocumentKey(await sha256Hex(clientId));
    await kv.put(
      key,
      JSON.stringify({ document: { clientId: "https://x.example.com/c" }, fetchedAt: 0 }),
    );
    const { fetch, calls } = fakeFetch(() => Response.json(documentOf(clientId)));
    expect((await loadCimdDocument(clientId, options(fetch, { kv }))).clientId).toBe(clientId);
    expect(calls).toHaveLength(1);
  });
});
