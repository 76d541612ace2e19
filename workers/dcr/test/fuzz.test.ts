// Property-based fuzzing of the facade's HTTP surface: registration (RFC 7591/7592) and the front
// door (/authorize, the consent decision, the callback relay, /token, /revoke). Inputs mix valid
// shapes, near-valid mutations and junk; every answer must arrive in time, never be a 5xx, and
// keep the front door's promise that only a registered redirect URI (or Cognito) is redirected to.
// fast-check prints the seed and the shrunk counterexample of a failure; rerun it with
// `fc.assert(property, { seed, path })`.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  authorizePath,
  browserOn,
  CHALLENGE,
  COGNITO_AUTHORIZE,
  ISSUER,
  readTransaction,
  registerClient,
  setup,
  uniqueIp,
  VERIFIER,
} from "./support";

/** Longest a single call (or reading its body) may take before it counts as a hang. */
const CALL_TIMEOUT_MS = 5_000;
/**
 * Vitest's limit for one property, its runs and any shrinking. Unloaded, each takes a few
 * seconds; the margin is for a CI machine shared with other jobs (a hang fails per call anyway).
 */
const PROPERTY_TIMEOUT_MS = 120_000;

const WEB_REDIRECT = "https://app.example.com/cb";
const WEB_REDIRECT_2 = "https://app.example.com/cb?tab=2";
const LOOPBACK_REDIRECT = "http://127.0.0.1:8765/callback";
const CONFIDENTIAL_REDIRECT = "https://confidential.example.com/oauth/callback";
const CIMD_ID = "https://fuzz-client.example.com/oauth/client.json";
const CIMD_REDIRECT = "https://fuzz-client.example.com/cb";
const RESOURCE = "http://localhost:3001/mcp";

// --- Time and failure detection ------------------------------------------------------------

/** `work`, or a failure naming `what` if it has not settled within {@link CALL_TIMEOUT_MS}. */
async function withinTime<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${CALL_TIMEOUT_MS} ms: ${what}`)),
      CALL_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lines the worker logged through console.error during the fuzzing; "unhandled" ones are bugs. */
const errorLines: string[] = [];
/** URLs the worker tried to reach with the global fetch: nothing may leave the test. */
const outbound: string[] = [];

beforeAll(() => {
  // Thousands of audit lines would drown the report; errors are kept and checked.
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errorLines.push(args.map(String).join(" "));
  });
  // The facade is given the fake's fetch; this refuses anything that would bypass it.
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    outbound.push(new Request(input, init).url);
    throw new TypeError("outbound fetch refused by the fuzz test");
  });
});

afterAll(() => {
  vi.restoreAllMocks();
});

/** The generic invariants of every answer, after the property's own checks. */
function expectNoUnhandledErrors() {
  expect(errorLines.filter((line) => line.includes('"event":"unhandled"'))).toEqual([]);
  expect(outbound).toEqual([]);
}

// --- Generators --------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlCharacter = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((c) => String.fromCharCode(c));
const awkwardCharacter = fc.oneof(
  controlCharacter,
  loneSurrogate,
  fc.constantFrom(
    "%",
    "%zz",
    "%E0%A4%A",
    "&",
    "=",
    "+",
    "#",
    "?",
    "/",
    "\\",
    ";",
    ",",
    '"',
    "'",
    "<",
    ">",
    " ",
    ".",
    "..",
    "\u202e",
    "\u2028",
    "\ufeff",
    "\u0000",
    "é",
    "𝕏",
    "👩‍👩‍👧",
  ),
);

/** A very long string: repeated characters that are cheap, awkward or multi-byte. */
const hugeText = fc
  .tuple(
    fc.constantFrom("a", "%", "é", "\u0000", "𝕏", "%E0%A4%A", "\ud800", "&a=b"),
    fc.integer({ min: 1_000, max: 20_000 }),
  )
  .map(([unit, times]) => unit.repeat(times));

/** Junk text: any code point, graphemes, awkward characters, or a very long string. */
const junkText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: awkwardCharacter, maxLength: 24 }) },
  { weight: 1, arbitrary: hugeText },
);

/** Small changes to a valid value: cut, one character replaced, junk around it, case, doubled. */
function mutated(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, valid.length - 1) }).map((n) => valid.slice(0, n)),
    fc
      .tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), awkwardCharacter)
      .map(([at, c]) => `${valid.slice(0, at)}${c}${valid.slice(at + 1)}`),
    junkText.map((junk) => `${valid}${junk}`),
    junkText.map((junk) => `${junk}${valid}`),
    fc.constantFrom(
      valid.toUpperCase(),
      valid.toLowerCase(),
      `${valid}${valid}`,
      ` ${valid} `,
      encodeURIComponent(valid),
    ),
  );
}

/** A valid value, a near-valid mutation of one, or junk. */
function nearly(...valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    { weight: 3, arbitrary: fc.constantFrom(...valid).chain(mutated) },
    { weight: 2, arbitrary: junkText },
  );
}

/**
 * Characters of a header value: visible ASCII, space and tab. (workerd sends other characters of
 * an in-process Request as UTF-8, with a warning each: not the bytes a client would send.)
 */
const headerCharacter = fc
  .oneof(
    { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
  )
  .map((c) => String.fromCharCode(c));

/** Any header value a client can send, up to a very long one. */
const headerJunk: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: headerCharacter, maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom("A", "%", ",", "=", " x", '"'),
        fc.integer({ min: 4_000, max: 20_000 }),
      )
      .map(([unit, times]) => unit.repeat(times)),
  },
);

/** A header value: one of the valid ones, a mutation of one (kept sendable), or junk. */
function headerValue(...valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(...valid).chain((v) => mutated(v).map(toHeaderValue)),
    },
    { weight: 2, arbitrary: headerJunk },
  );
}

/** `text` with lone surrogates replaced (as a UTF-8 round trip does), so it can be URI-encoded. */
function wellFormed(text: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(text));
}

/** Keeps only what a header value can carry. */
function toHeaderValue(text: string): string {
  return text.replace(/[^\t\x20-\x7e]/g, "").trim();
}

/** Content types of a JSON body: the right one mostly, else near misses and junk. */
const jsonContentType = headerValue(
  "application/json; charset=utf-8",
  "Application/JSON",
  "application/json;",
  "application/jsonp",
  "application/json, text/plain",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "*/*",
  "",
);
/** Content types of a form body: near misses and junk. */
const formContentType = headerValue(
  "application/x-www-form-urlencoded; charset=UTF-8",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "application/x-www-form-urlencoded, application/json",
  "application/json",
  "text/plain",
  "multipart/form-data; boundary=----x",
  "",
);

/** Methods: the route's own mostly, else any other. */
function method(...usual: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...usual) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "get"),
    },
  );
}

/** Any JSON value, nested a little or very deep. */
const jsonJunk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 5_000 }).map((depth) => {
      let value: unknown = [];
      for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
      return value;
    }),
  },
);

/** A request body as text or bytes: JSON of `value`, junk, invalid UTF-8, or oversized. */
function bodyOf(value: fc.Arbitrary<unknown>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 8, arbitrary: value.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 2, arbitrary: jsonJunk.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: junkText },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "{",
        "[".repeat(10_000),
        `{"redirect_uris":["${"a".repeat(70_000)}"]}`,
        "\ufeff{}",
        "null",
        '{"__proto__":{"polluted":true}}',
      ),
    },
  );
}

/** Headers or parameters as pairs, so that a name can repeat. */
type Pairs = [string, string][];

/** How one header is chosen: its valid value (read when generated; none: absent) and others. */
interface HeaderSpec {
  valid?: () => string;
  other: fc.Arbitrary<string>;
}

/** Headers: each one valid mostly, else absent, another value, or repeated with another. */
function headerSet(spec: Record<string, HeaderSpec>): fc.Arbitrary<Pairs> {
  const entries = Object.entries(spec).map(([name, { valid, other }]) => {
    const validPairs = (): Pairs => (valid === undefined ? [] : [[name, valid()]]);
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant(null).map(validPairs) },
      { weight: 1, arbitrary: fc.constant<Pairs>([]) },
      { weight: 2, arbitrary: other.map((value): Pairs => [[name, value]]) },
      { weight: 1, arbitrary: other.map((value): Pairs => [...validPairs(), [name, value]]) },
    );
  });
  const extra = fc.array(
    fc.tuple(
      fc.constantFrom("x-forwarded-host", "x-junk", "accept", "origin", "referer", "cookie"),
      headerJunk,
    ),
    { maxLength: 2 },
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([chosen, more]) => [...chosen.flat(), ...more]);
}

/** Parameters as pairs: each maybe present, some valid, some mutated, some junk, maybe repeated. */
function params(spec: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Pairs> {
  const entries = Object.entries(spec).map(([name, value]) =>
    fc
      .option(fc.tuple(value, fc.option(value, { nil: undefined, freq: 10 })), {
        nil: undefined,
        freq: 4,
      })
      .map((chosen): Pairs => {
        if (chosen === undefined) return [];
        const [first, repeated] = chosen;
        return repeated === undefined
          ? [[name, first]]
          : [
              [name, first],
              [name, repeated],
            ];
      }),
  );
  const extra = fc.array(fc.tuple(junkText, junkText), { maxLength: 2 });
  return fc.tuple(fc.tuple(...entries), extra, fc.boolean()).chain(([chosen, more, shuffle]) => {
    const all = [...chosen.flat(), ...more];
    return shuffle ? fc.shuffledSubarray(all, { minLength: all.length }) : fc.constant(all);
  });
}

/**
 * A valid parameter list (read when generated) with up to two of `changes` applied — the first
 * change to a name replaces it, a second one repeats it — or the changes alone.
 */
function nearValid(valid: () => Pairs, changes: fc.Arbitrary<Pairs>): fc.Arbitrary<Pairs> {
  return fc
    .tuple(changes, fc.constantFrom<number | "all">(0, 1, 1, 2, 2, "all"))
    .map(([all, applied]) => {
      if (applied === "all") return all;
      const values = new Map(valid());
      const replaced = new Set<string>();
      const repeated: Pairs = [];
      for (const [name, value] of all.slice(0, applied)) {
        if (replaced.has(name)) repeated.push([name, value]);
        else {
          values.set(name, value);
          replaced.add(name);
        }
      }
      return [...values, ...repeated];
    });
}

/** Pairs encoded as a query or form: properly, or with raw junk glued on, or junk alone. */
function encoded(pairs: fc.Arbitrary<Pairs>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: pairs.map((p) => new URLSearchParams(p).toString()) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(pairs, fc.string({ unit: awkwardCharacter, maxLength: 12 }))
        .map(([p, raw]) => `${new URLSearchParams(p)}&${raw}`),
    },
    { weight: 1, arbitrary: junkText },
  );
}

// --- The facade under test, with what a real client would have ---------------------------------

const facade = setup();
const known = {
  web: { client_id: "" },
  loopback: { client_id: "" },
  confidential: { client_id: "", client_secret: "" },
  /** A registration to manage, with its token (RFC 7592). */
  managed: { client_id: "", registration_access_token: "" },
  /** A sealed transaction and the cookie that binds it to its browser. */
  transaction: "",
  bindingCookie: "",
  /** Every cookie after an approval: the binding and the remembered consent. */
  approvedCookies: "",
  /** Cognito's redirect back to the callback, with its state and code. */
  callbackState: "",
  cognitoCode: "",
  /** The code the front door relayed to the client. */
  relayedCode: "",
  refreshToken: "",
  confidentialRefreshToken: "",
};

/** The UTF-8 bytes of `text` as a binary string, for `btoa`. */
function utf8Binary(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return binary;
}

function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

beforeAll(async () => {
  facade.cognito.serveDocument(CIMD_ID, {
    client_id: CIMD_ID,
    client_name: "Fuzz CIMD client",
    redirect_uris: [CIMD_REDIRECT, "http://127.0.0.1/cimd-cb"],
    scope: "openid mcp-api/read",
  });
  known.web = await registerClient(facade, {
    redirect_uris: [WEB_REDIRECT, WEB_REDIRECT_2],
    client_name: "Fuzz Web",
    token_endpoint_auth_method: "none",
  });
  known.loopback = await registerClient(facade, {
    redirect_uris: [LOOPBACK_REDIRECT],
    client_name: "Fuzz Tool",
    token_endpoint_auth_method: "none",
  });
  const confidential = await registerClient(facade, {
    redirect_uris: [CONFIDENTIAL_REDIRECT],
    token_endpoint_auth_method: "client_secret_basic",
  });
  known.confidential = {
    client_id: confidential.client_id,
    client_secret: confidential.client_secret ?? "",
  };
  const managed = await registerClient(facade, { redirect_uris: [WEB_REDIRECT] });
  known.managed = {
    client_id: managed.client_id,
    registration_access_token: String(managed.registration_access_token),
  };

  const browser = browserOn(facade);
  const page = await browser.get(
    authorizePath({
      client_id: known.web.client_id,
      redirect_uri: WEB_REDIRECT,
      resource: RESOURCE,
    }),
  );
  known.transaction = readTransaction(await page.text());
  known.bindingCookie = browser.jar.header();
  const approved = await browser.postForm("/authorize/decision", {
    transaction: known.transaction,
    decision: "approve",
  });
  known.approvedCookies = browser.jar.header();
  const back = new URL(facade.cognito.signIn(approved.headers.get("location") ?? ""));
  known.callbackState = back.searchParams.get("state") ?? "";
  known.cognitoCode = back.searchParams.get("code") ?? "";
  const relayed = await browser.get(`${back.pathname}${back.search}`);
  known.relayedCode = new URL(relayed.headers.get("location") ?? "").searchParams.get("code") ?? "";
  known.refreshToken = facade.cognito.issueRefreshToken(known.web.client_id);
  known.confidentialRefreshToken = facade.cognito.issueRefreshToken(known.confidential.client_id);
  for (const value of Object.values(known))
    if (typeof value === "string") expect(value).not.toBe("");
});

/** A request as the properties describe it. */
interface Sent {
  method: string;
  path: string;
  headers: Pairs;
  body?: string | Uint8Array | undefined;
  /** A fresh source address, so that the rate limit does not end the fuzzing early. */
  freshIp?: boolean;
}

/** Sends a request to the facade, in time. */
function send(request: Sent): Promise<Response> {
  const upper = request.method.toUpperCase();
  const init: RequestInit = { method: request.method, headers: request.headers };
  if (request.body !== undefined && upper !== "GET" && upper !== "HEAD") init.body = request.body;
  return withinTime(
    facade.call(request.path, init, request.freshIp === false ? undefined : uniqueIp()),
    `${request.method} ${request.path.slice(0, 120)}`,
  );
}

/**
 * The invariants of every answer: no 5xx, a body that arrives, and an error that says what it
 * is — a JSON `{"error"}` from a JSON endpoint (or any unknown route), else an HTML page.
 */
async function expectHandled(
  response: Response,
  request: Sent,
  kind: "json" | "page",
): Promise<string> {
  const text = await withinTime(response.text(), "reading the body");
  const shown = `${request.method} ${request.path.slice(0, 200)} -> ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, shown).toBeLessThan(500);
  if (response.status < 400 || request.method.toUpperCase() === "HEAD") return text;
  const type = response.headers.get("content-type") ?? "";
  if (kind === "page" && type.startsWith("text/html")) {
    expect(text, shown).toMatch(/<html/i);
    return text;
  }
  expect(type, shown).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: unknown };
  expect(typeof body.error, shown).toBe("string");
  expect(response.headers.get("cache-control"), shown).toBe("no-store");
  return text;
}

/** Whether `location` goes to one of `registered` (a loopback one on any port). */
function isRegisteredRedirect(location: URL, registered: readonly string[]): boolean {
  return registered.some((uri) => {
    const target = new URL(uri);
    const loopback =
      target.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(target.hostname);
    return (
      location.protocol === target.protocol &&
      location.hostname === target.hostname &&
      location.pathname === target.pathname &&
      (loopback || location.port === target.port)
    );
  });
}

/** A redirect URI the client (symbolic, as {@link clientIdValue} makes them) registered. */
function validRedirectFor(client: string, loopbackPort: number): string {
  if (client === "loopback") return LOOPBACK_REDIRECT.replace(":8765", `:${loopbackPort}`);
  if (client === "confidential") return CONFIDENTIAL_REDIRECT;
  if (client === "cimd") return CIMD_REDIRECT;
  return WEB_REDIRECT;
}

/** The redirect URIs registered for a client_id, if it is one the facade knows. */
function registeredRedirects(clientId: string): string[] | undefined {
  if (clientId === known.web.client_id) return [WEB_REDIRECT, WEB_REDIRECT_2];
  if (clientId === known.loopback.client_id) return [LOOPBACK_REDIRECT];
  if (clientId === known.confidential.client_id) return [CONFIDENTIAL_REDIRECT];
  if (clientId === known.managed.client_id) return [WEB_REDIRECT];
  if (clientId === CIMD_ID) return [CIMD_REDIRECT, "http://127.0.0.1/cimd-cb"];
  return undefined;
}

/** A 302 of the front door goes to Cognito or to the client's registered redirect, with `iss`. */
function expectSafeRedirect(response: Response, clientId: string | undefined, request: Sent) {
  if (response.status !== 302) return;
  const location = new URL(response.headers.get("location") ?? "");
  if (location.href.startsWith(`${COGNITO_AUTHORIZE}?`)) return;
  const registered = clientId === undefined ? undefined : registeredRedirects(clientId);
  const shown = `${request.method} ${request.path.slice(0, 200)} -> ${location.href.slice(0, 300)}`;
  expect(registered, `redirect for an unknown client: ${shown}`).toBeDefined();
  expect(isRegisteredRedirect(location, registered ?? []), shown).toBe(true);
  expect(location.searchParams.get("iss"), shown).toBe(ISSUER);
}

// --- Properties --------------------------------------------------------------------------------

const redirectUri = fc.oneof(
  { weight: 4, arbitrary: fc.webUrl({ withQueryParameters: true }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom("127.0.0.1", "localhost", "[::1]"),
        fc.integer({ min: 0, max: 70_000 }),
      )
      .map(([host, port]) => `http://${host}:${port}/callback`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "javascript:alert(1)",
      "data:text/html,x",
      "com.example.app:/oauth",
      "https://*.example.com/cb",
      "https://app.example.com/cb#frag",
      "https://user:pw@app.example.com/cb",
      "http://example.com/cb",
      "https:///cb",
    ),
  },
  { weight: 2, arbitrary: nearly(WEB_REDIRECT, LOOPBACK_REDIRECT) },
);

/** Client metadata: RFC 7591 fields with valid, near-valid and wrong-typed values. */
const clientMetadata = fc.record(
  {
    redirect_uris: fc.oneof(
      fc.array(redirectUri, { maxLength: 4 }),
      fc.constant([WEB_REDIRECT]),
      fc.constant([WEB_REDIRECT, WEB_REDIRECT]),
      jsonJunk,
      fc
        .integer({ min: 101, max: 300 })
        .map((n) => Array.from({ length: n }, (_, i) => `https://a.example.com/${i}`)),
    ),
    token_endpoint_auth_method: fc.oneof(
      fc.constantFrom("none", "client_secret_basic", "client_secret_post", "private_key_jwt"),
      jsonJunk,
    ),
    grant_types: fc.oneof(
      fc.subarray(["authorization_code", "refresh_token", "client_credentials", "implicit"]),
      jsonJunk,
    ),
    response_types: fc.oneof(fc.subarray(["code", "token", "id_token"]), jsonJunk),
    scope: fc.oneof(
      fc
        .subarray([
          "openid",
          "email",
          "profile",
          "mcp-api/read",
          "mcp-api/write",
          "offline_access",
          "admin",
        ])
        .map((s) => s.join(" ")),
      junkText,
      jsonJunk,
    ),
    client_name: fc.oneof(junkText, jsonJunk),
    application_type: fc.oneof(fc.constantFrom("web", "native", "browser"), jsonJunk),
    client_uri: fc.oneof(fc.webUrl(), junkText, jsonJunk),
    logo_uri: fc.oneof(fc.webUrl(), junkText),
    policy_uri: fc.oneof(fc.webUrl(), junkText),
    tos_uri: fc.oneof(fc.webUrl(), junkText),
    contacts: fc.oneof(fc.array(fc.emailAddress(), { maxLength: 12 }), jsonJunk),
    software_id: fc.oneof(junkText, jsonJunk),
    software_version: fc.oneof(junkText, jsonJunk),
    jwks: jsonJunk,
  },
  { requiredKeys: [] },
);

/** Valid metadata with up to two fields changed, or the generated fields alone. */
const nearValidMetadata = fc
  .tuple(clientMetadata, fc.constantFrom<number | "all">(0, 1, 1, 2, 2, "all"))
  .map(([fields, applied]) =>
    applied === "all"
      ? fields
      : {
          redirect_uris: [WEB_REDIRECT],
          client_name: "Fuzz",
          token_endpoint_auth_method: "none",
          ...Object.fromEntries(Object.entries(fields).slice(0, applied)),
        },
  );

describe("fuzz: POST /register (RFC 7591) answers every body and header without a 5xx", () => {
  it(
    "register: metadata, JSON junk, wrong content types, odd methods and Authorization",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          method("POST"),
          bodyOf(nearValidMetadata),
          headerSet({
            "content-type": { valid: () => "application/json", other: jsonContentType },
            authorization: { other: headerValue("Bearer initial-token", "Basic Zm9vOmJhcg==") },
            "content-length": { other: headerValue("0", "10", "999999999", "-1", "abc") },
          }),
          fc.constantFrom(true, true, true, true, true, true, true, true, true, false),
          async (verb, body, pairs, freshIp) => {
            const request: Sent = {
              method: verb,
              path: "/register",
              headers: pairs,
              body,
              freshIp,
            };
            const response = await send(request);
            const text = await expectHandled(response, request, "json");
            if (response.status === 201) {
              const created = JSON.parse(text) as Record<string, unknown>;
              expect(typeof created.client_id).toBe("string");
              expect(typeof created.registration_access_token).toBe("string");
            }
          },
        ),
        { numRuns: 600 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "RFC 7592: GET, PUT and DELETE /register/<id> with odd ids, tokens and bodies",
    async () => {
      // Read when generated: a DELETE that succeeds replaces the managed registration.
      const managedId = fc.constant(null).map(() => known.managed.client_id);
      const managedToken = () => `Bearer ${known.managed.registration_access_token}`;
      const clientId = fc.oneof(
        { weight: 5, arbitrary: managedId },
        { weight: 2, arbitrary: managedId.chain(mutated) },
        { weight: 2, arbitrary: junkText },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "..",
            "%2e%2e",
            "a/b",
            "%00",
            "%E0%A4%A",
            "%",
            "x".repeat(600),
          ),
        },
      );
      const segment = fc.oneof(
        { weight: 3, arbitrary: clientId.map((id) => encodeURIComponent(wellFormed(id))) },
        { weight: 1, arbitrary: clientId.map(toHeaderValue) },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 8, arbitrary: fc.constantFrom("GET", "PUT", "PUT", "GET", "DELETE") },
            { weight: 1, arbitrary: method("POST", "PATCH", "OPTIONS", "HEAD") },
          ),
          segment,
          headerSet({
            authorization: {
              valid: managedToken,
              other: fc.oneof(
                fc.constant(null).chain(() => mutated(managedToken()).map(toHeaderValue)),
                headerValue("Bearer x", "Basic eDp5", "Bearer", "bearer  x"),
              ),
            },
            "content-type": { valid: () => "application/json", other: jsonContentType },
          }),
          bodyOf(nearValidMetadata),
          async (verb, id, pairs, body) => {
            const upper = verb.toUpperCase();
            const request: Sent = { method: verb, path: `/register/${id}`, headers: pairs, body };
            const response = await send(request);
            const text = await expectHandled(response, request, "json");
            if (response.status === 401)
              expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
            // A DELETE that succeeds would end the fuzzing of this registration: make another.
            if (upper === "DELETE" && response.status === 204) {
              const again = await facade.register(
                { redirect_uris: [WEB_REDIRECT] },
                {},
                uniqueIp(),
              );
              const created = (await again.json()) as Record<string, unknown>;
              expect(again.status).toBe(201);
              known.managed = {
                client_id: String(created.client_id),
                registration_access_token: String(created.registration_access_token),
              };
            } else if (response.status === 200 && upper !== "HEAD") {
              expect((JSON.parse(text) as { client_id?: unknown }).client_id).toBe(
                known.managed.client_id,
              );
            }
          },
        ),
        { numRuns: 500 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** client_ids: registered, CIMD (served and not), CIMD-looking URLs an attacker would try, junk. */
const clientIdValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("web", "loopback", "confidential") },
  { weight: 2, arbitrary: fc.constant("cimd") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "https://fuzz-client.example.com/oauth/other.json",
      "http://localhost:9/client.json",
      "http://127.0.0.1:1/client.json",
      "https://127.0.0.1/client.json",
      "https://[::1]/client.json",
      "http://169.254.169.254/latest/meta-data/",
      "https://user:pw@a.example.com/client.json",
      "https://a.example.com/./client.json",
      "https://a.example.com/%2e%2e/client.json",
      "https://a.example.com/",
      "https://a.example.com:8443/client.json",
      "https://a.example.com/client.json#f",
      "HTTPS://FUZZ-CLIENT.EXAMPLE.COM/oauth/client.json",
      "https://xn--nxa.example.com/client.json",
      "https://ex%61mple.com/client.json",
      "https://a.localhost/client.json",
      "https://metadata.internal/client.json",
      "https://2130706433/client.json",
      "https://a.example.com./client.json",
      `https://${"a".repeat(3_000)}.com/client.json`,
      "https://",
      "http:/x",
    ),
  },
  { weight: 2, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: mutated(CIMD_ID) },
  { weight: 2, arbitrary: junkText },
);

/** Resolves the symbolic ids of {@link clientIdValue} once the clients exist. */
function resolveClientId(value: string): string {
  if (value === "web") return known.web.client_id;
  if (value === "loopback") return known.loopback.client_id;
  if (value === "confidential") return known.confidential.client_id;
  if (value === "cimd") return CIMD_ID;
  return value;
}

/** Origins a browser may send with a form post. */
const originValue = headerValue(
  "null",
  "https://evil.example.com",
  `${ISSUER}/`,
  "http://localhost",
);

describe("fuzz: the front door (GET /authorize, the decision, the callback) never errs or redirects astray", () => {
  it(
    "GET /authorize: query strings for registered, CIMD and junk client_ids, with and without cookies",
    async () => {
      const query = fc.record({
        clientId: fc.oneof(
          { weight: 6, arbitrary: clientIdValue },
          { weight: 1, arbitrary: fc.constant(null).chain(() => mutated(known.web.client_id)) },
        ),
        changes: params({
          redirect_uri: fc.oneof(
            {
              weight: 3,
              arbitrary: fc.constantFrom(
                WEB_REDIRECT,
                WEB_REDIRECT_2,
                CIMD_REDIRECT,
                CONFIDENTIAL_REDIRECT,
              ),
            },
            { weight: 2, arbitrary: redirectUri },
          ),
          response_type: nearly("code", "token", "code id_token"),
          code_challenge: nearly(CHALLENGE),
          code_challenge_method: nearly("S256", "plain"),
          state: fc.oneof(fc.string({ maxLength: 40 }), junkText),
          scope: nearly("openid mcp-api/read", "mcp-api/write offline_access", "openid admin", ""),
          resource: nearly(RESOURCE, "https://x.example.com/#frag", "urn:x"),
          nonce: fc.oneof(fc.string({ maxLength: 20 }), junkText),
          prompt: nearly("none", "login", "consent", "none consent", "select_account"),
          request: junkText,
          request_uri: nearly("urn:ietf:params:oauth:request_uri:x"),
        }),
        // How many of the changes apply to an otherwise valid request; all of them when "all".
        applied: fc.constantFrom<number | "all">(0, 0, 1, 1, 2, "all"),
        loopbackPort: fc.integer({ min: 1, max: 65_535 }),
        clientIdTimes: fc.constantFrom(1, 1, 1, 1, 1, 1, 0, 2),
        cookie: fc.option(
          fc.oneof(
            fc.constantFrom("approved", "binding"),
            headerValue("mcp_fd_consent=x", "mcp_fd_consent=; mcp_fd_consent=y", "a=%E0%A4%A"),
          ),
          { nil: undefined },
        ),
        verb: method("GET"),
        glued: fc.option(fc.string({ unit: awkwardCharacter, maxLength: 8 }), {
          nil: undefined,
          freq: 8,
        }),
      });
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          const id = resolveClientId(q.clientId);
          const valid = new Map<string, string>([
            ["redirect_uri", validRedirectFor(q.clientId, q.loopbackPort)],
            ["response_type", "code"],
            ["code_challenge", CHALLENGE],
            ["code_challenge_method", "S256"],
            ["state", "fuzz-state"],
            ["scope", "openid mcp-api/read"],
          ]);
          const pairs: Pairs = Array.from({ length: q.clientIdTimes }, (): [string, string] => [
            "client_id",
            id,
          ]);
          if (q.applied === "all") pairs.push(...q.changes);
          else {
            for (const [name, value] of q.changes.slice(0, q.applied)) valid.set(name, value);
            pairs.push(...valid);
          }
          const glued = q.glued === undefined ? "" : `&${q.glued}`;
          const cookie =
            q.cookie === "approved"
              ? known.approvedCookies
              : q.cookie === "binding"
                ? known.bindingCookie
                : q.cookie;
          const request: Sent = {
            method: q.verb,
            path: `/authorize?${new URLSearchParams(pairs)}${glued}`,
            headers: cookie === undefined ? [] : [["cookie", cookie]],
          };
          const response = await send(request);
          await expectHandled(response, request, "page");
          const single = q.clientIdTimes === 1 ? id : undefined;
          expectSafeRedirect(response, single, request);
          if (single === undefined || registeredRedirects(single) === undefined)
            expect(response.status, request.path.slice(0, 200)).not.toBe(302);
        }),
        { numRuns: 700 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "POST /authorize/decision: odd transactions, decisions, cookies, origins and bodies",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          method("POST"),
          encoded(
            nearValid(
              () => [
                ["transaction", known.transaction],
                ["decision", "approve"],
              ],
              params({
                transaction: nearly(known.transaction),
                decision: nearly("approve", "deny"),
              }),
            ),
          ),
          headerSet({
            "content-type": {
              valid: () => "application/x-www-form-urlencoded",
              other: formContentType,
            },
            origin: { valid: () => ISSUER, other: originValue },
            cookie: {
              valid: () => known.bindingCookie,
              other: fc.oneof(
                fc.constant(null).map(() => known.approvedCookies),
                headerValue(known.bindingCookie),
              ),
            },
          }),
          async (verb, form, pairs) => {
            const request: Sent = {
              method: verb,
              path: "/authorize/decision",
              headers: pairs,
              body: form,
            };
            const response = await send(request);
            await expectHandled(response, request, "page");
            expectSafeRedirect(response, known.web.client_id, request);
          },
        ),
        { numRuns: 400 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "GET /callback: odd states, codes, Cognito errors and cookies",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          nearValid(
            () => [
              ["state", known.callbackState],
              ["code", known.cognitoCode],
            ],
            params({
              state: nearly(known.callbackState),
              code: fc.oneof(
                nearly(known.cognitoCode),
                fc.integer({ min: 2_000, max: 3_000 }).map((n) => "c".repeat(n)),
              ),
              error: nearly("access_denied", "invalid_request", "server_error", "login_required"),
              error_description: fc.oneof(fc.string({ maxLength: 60 }), junkText),
              iss: nearly("http://localhost:9229/us-east-1_LocalDev01"),
            }),
          ),
          headerSet({
            cookie: {
              valid: () => known.bindingCookie,
              other: headerValue(known.bindingCookie, known.approvedCookies),
            },
          }),
          method("GET"),
          async (pairs, cookies, verb) => {
            const request: Sent = {
              method: verb,
              path: `/callback?${new URLSearchParams(pairs)}`,
              headers: cookies,
            };
            const response = await send(request);
            await expectHandled(response, request, "page");
            expectSafeRedirect(response, known.web.client_id, request);
            if (response.status === 302)
              expect(response.headers.get("location")?.startsWith(`${WEB_REDIRECT}?`)).toBe(true);
          },
        ),
        { numRuns: 400 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** Authorization headers other than the right one for the token and revocation endpoints. */
const otherClientAuthorization = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .tuple(junkText, junkText)
      .map(([id, secret]) => `Basic ${btoa(utf8Binary(`${id}:${secret}`))}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .constant(null)
      .chain(() => mutated(basic(known.confidential.client_id, known.confidential.client_secret)))
      .map(toHeaderValue),
  },
  {
    weight: 1,
    arbitrary: fc
      .constant(null)
      .map(() => basic(known.web.client_id, known.confidential.client_secret)),
  },
  { weight: 2, arbitrary: headerValue("Basic", "Basic =", "Basic ::", "Bearer x", "Basic !!!") },
);

/** Which client a token or revocation request speaks for, and how it authenticates. */
type Speaker = "public" | "confidential";

/** Form fields the token and revocation endpoints read about the client. */
const clientFields = {
  client_id: fc.oneof(
    fc.constant(null).map(() => known.web.client_id),
    fc.constant(null).map(() => known.confidential.client_id),
    fc.constant(CIMD_ID),
    clientIdValue.map(resolveClientId),
  ),
  client_secret: fc.oneof(
    fc.constant(null).map(() => known.confidential.client_secret),
    junkText,
    fc.constant(""),
  ),
};

/** The headers of a token or revocation request: the speaker's credentials mostly. */
function clientHeaders(speaker: Speaker): fc.Arbitrary<Pairs> {
  return headerSet({
    "content-type": { valid: () => "application/x-www-form-urlencoded", other: formContentType },
    authorization: {
      ...(speaker === "confidential"
        ? { valid: () => basic(known.confidential.client_id, known.confidential.client_secret) }
        : {}),
      other: otherClientAuthorization,
    },
  });
}

describe("fuzz: POST /token and POST /revoke answer JSON, never a 5xx", () => {
  it(
    "POST /token: grants, codes, verifiers, client authentication and content types",
    async () => {
      const changes = params({
        ...clientFields,
        grant_type: nearly("authorization_code", "refresh_token", "client_credentials", "password"),
        code: fc.oneof(
          fc.constant(null).map(() => known.relayedCode),
          fc.constant(null).chain(() => mutated(known.relayedCode)),
          junkText,
        ),
        code_verifier: nearly(VERIFIER),
        redirect_uri: nearly(WEB_REDIRECT, CONFIDENTIAL_REDIRECT),
        refresh_token: fc.oneof(
          fc.constant(null).map(() => known.refreshToken),
          fc.constant(null).chain(() => mutated(known.refreshToken)),
        ),
        scope: nearly("mcp-api/read"),
        resource: nearly(RESOURCE),
      });
      const request = fc
        .constantFrom<["code" | "refresh", Speaker]>(
          ["code", "public"],
          ["refresh", "public"],
          ["refresh", "confidential"],
        )
        .chain(([grant, speaker]) =>
          fc.tuple(
            encoded(
              nearValid((): Pairs => {
                if (speaker === "confidential")
                  return [
                    ["grant_type", "refresh_token"],
                    ["refresh_token", known.confidentialRefreshToken],
                  ];
                return grant === "code"
                  ? [
                      ["grant_type", "authorization_code"],
                      ["code", known.relayedCode],
                      ["code_verifier", VERIFIER],
                      ["redirect_uri", WEB_REDIRECT],
                      ["client_id", known.web.client_id],
                    ]
                  : [
                      ["grant_type", "refresh_token"],
                      ["refresh_token", known.refreshToken],
                      ["client_id", known.web.client_id],
                    ];
              }, changes),
            ),
            clientHeaders(speaker),
          ),
        );
      await fc.assert(
        fc.asyncProperty(method("POST"), request, async (verb, [form, pairs]) => {
          const sent: Sent = { method: verb, path: "/token", headers: pairs, body: form };
          const response = await send(sent);
          const text = await expectHandled(response, sent, "json");
          if (response.status === 200) {
            expect(typeof (JSON.parse(text) as { access_token?: unknown }).access_token).toBe(
              "string",
            );
            expect(response.headers.get("cache-control")).toBe("no-store");
          }
          if (response.status === 401)
            expect(response.headers.get("www-authenticate")).toBe('Basic realm="token"');
        }),
        { numRuns: 600 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "POST /revoke: tokens, hints, client authentication and content types",
    async () => {
      const changes = params({
        ...clientFields,
        token: fc.oneof(
          fc.constant(null).map(() => known.refreshToken),
          nearly("access-1", "x"),
        ),
        token_type_hint: nearly("refresh_token", "access_token"),
      });
      const request = fc.constantFrom<Speaker>("public", "confidential").chain((speaker) =>
        fc.tuple(
          encoded(
            nearValid(
              (): Pairs =>
                speaker === "confidential"
                  ? [["token", known.confidentialRefreshToken]]
                  : [
                      ["token", known.refreshToken],
                      ["client_id", known.web.client_id],
                    ],
              changes,
            ),
          ),
          clientHeaders(speaker),
        ),
      );
      await fc.assert(
        fc.asyncProperty(method("POST"), request, async (verb, [form, pairs]) => {
          const sent: Sent = { method: verb, path: "/revoke", headers: pairs, body: form };
          const response = await send(sent);
          const text = await expectHandled(response, sent, "json");
          if (response.status === 200 && verb.toUpperCase() === "POST") expect(text).toBe("");
        }),
        { numRuns: 400 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );
});
