// Property-based fuzzing of /mcp (and its /v1 sibling): arbitrary headers (Authorization, Origin,
// MCP-Protocol-Version, Mcp-Method, Content-Type, Accept) and bodies (JSON-RPC shapes and junk),
// without a token, with a valid one, and with tokens the issuer signed over odd claims. Every
// answer must arrive in time, never be a 5xx, and carry a JSON body that says what went wrong.
// fast-check prints the seed and the shrunk counterexample of a failure; rerun it with
// `fc.assert(property, { seed, path })`.
import fc from "fast-check";
import type { JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MCP_PROTOCOL_VERSIONS } from "../src/mcp/protocol-versions";
import { TOOL_ACCESS } from "../src/mcp/scope-policy";
import { accessClaims, ORIGIN, READ, setup, sign, WRITE } from "./support";

/** Longest a single call (or reading its body) may take before it counts as a hang. */
const CALL_TIMEOUT_MS = 5_000;
/**
 * Vitest's limit for one property, its runs and any shrinking. Unloaded, each takes a few
 * seconds; the margin is for a CI machine shared with other jobs (a hang fails per call anyway).
 */
const PROPERTY_TIMEOUT_MS = 120_000;
/** The subject of the fuzzing's tokens: its own contexts, apart from other tests' users. */
const FUZZ_SUB = "fuzz0000-0000-4000-8000-000000000000";

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

/** Lines the worker logged at level error; an "unhandled_error" is a bug. */
const errorLines: string[] = [];
/** URLs the worker tried to reach with the global fetch: nothing may leave the test. */
const outbound: string[] = [];

beforeAll(() => {
  // One request log line per call would drown the report; errors are kept and checked.
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errorLines.push(args.map(String).join(" "));
  });
  // The app is given the fake upstream's fetch; this refuses anything that would bypass it.
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    outbound.push(new Request(input, init).url);
    throw new TypeError("outbound fetch refused by the fuzz test");
  });
});

afterAll(() => {
  vi.restoreAllMocks();
});

/** What must hold after every property: no unhandled error logged, nothing sent out. */
function expectNoUnhandledErrors() {
  expect(errorLines.filter((line) => line.includes("unhandled_error"))).toEqual([]);
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
  fc.constantFrom('"', "\\", "{", "}", "[", "]", ":", ",", " ", "\u2028", "\ufeff", "é", "𝕏"),
);

/** Junk text: any code point, graphemes, awkward characters, or a very long string. */
const junkText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: awkwardCharacter, maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom("a", "é", "\u0000", "𝕏", "\ud800"),
        fc.integer({ min: 1_000, max: 20_000 }),
      )
      .map(([unit, times]) => unit.repeat(times)),
  },
);

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

/** Keeps only what a header value can carry. */
function toHeaderValue(text: string): string {
  return text.replace(/[^\t\x20-\x7e]/g, "").trim();
}

/** Small changes to a valid value: cut, one character replaced, junk around it, case, doubled. */
function mutated(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, valid.length - 1) }).map((n) => valid.slice(0, n)),
    fc
      .tuple(
        fc.nat({ max: Math.max(0, valid.length - 1) }),
        fc.string({ minLength: 1, maxLength: 1 }),
      )
      .map(([at, c]) => `${valid.slice(0, at)}${c}${valid.slice(at + 1)}`),
    junkText.map((junk) => `${valid}${junk}`),
    fc.constantFrom(valid.toUpperCase(), valid.toLowerCase(), `${valid}${valid}`, `${valid}.x`),
  );
}

/** A header value: one of the valid ones, a mutation of one (kept sendable), or junk. */
function headerValue(...valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    { weight: 3, arbitrary: fc.constantFrom(...valid).chain((v) => mutated(v).map(toHeaderValue)) },
    { weight: 2, arbitrary: headerJunk },
  );
}

/** Headers as pairs, so that a name can repeat. */
type Pairs = [string, string][];

/** How one header is chosen: its valid value (read when generated; none: absent) and others. */
interface HeaderSpec {
  valid?: () => string;
  other: fc.Arbitrary<string>;
}

/**
 * Headers: valid ones, with one or two changed (mostly) or any number of them — a changed header
 * is absent, has another value, or is repeated with another — plus a stray header or two.
 */
function headerSet(spec: Record<string, HeaderSpec>): fc.Arbitrary<Pairs> {
  const names = Object.keys(spec);
  const validPairs = (name: string): Pairs => {
    const valid = spec[name]?.valid;
    return valid === undefined ? [] : [[name, valid()]];
  };
  const variants = names.map((name) => {
    const other = spec[name]?.other ?? fc.constant("");
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant<Pairs>([]) },
      { weight: 3, arbitrary: other.map((value): Pairs => [[name, value]]) },
      { weight: 1, arbitrary: other.map((value): Pairs => [...validPairs(name), [name, value]]) },
    );
  });
  const changed = fc.oneof(
    { weight: 3, arbitrary: fc.subarray(names, { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.subarray(names) },
  );
  const extra = fc.array(
    fc.tuple(
      fc.constantFrom("mcp-session-id", "last-event-id", "x-junk", "cookie", "host"),
      headerJunk,
    ),
    { maxLength: 2 },
  );
  return fc
    .tuple(fc.tuple(...variants), changed, extra)
    .map(([chosen, which, more]) => [
      ...names.flatMap((name, i) => (which.includes(name) ? (chosen[i] ?? []) : validPairs(name))),
      ...more,
    ]);
}

/** Any JSON value, nested a little or very deep. */
const jsonJunk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 3_000 }).map((depth) => {
      let value: unknown = [];
      for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
      return value;
    }),
  },
);

const TOOLS = Object.keys(TOOL_ACCESS);
const METHODS = [
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "notifications/initialized",
  "notifications/cancelled",
  "resources/list",
  "resources/read",
  "prompts/list",
  "completion/complete",
  "logging/setLevel",
];

/** Parameters shaped for a method, a little wrong, or junk. */
const rpcParams: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        name: fc.oneof(fc.constantFrom(...TOOLS), junkText, jsonJunk),
        arguments: fc.oneof(
          fc.record(
            {
              title: fc.oneof(fc.string({ maxLength: 30 }), junkText, jsonJunk),
              content: fc.oneof(fc.string({ maxLength: 60 }), junkText, jsonJunk),
              id: fc.oneof(fc.uuid(), junkText, jsonJunk),
            },
            { requiredKeys: [] },
          ),
          jsonJunk,
        ),
        _meta: jsonJunk,
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        protocolVersion: fc.oneof(fc.constantFrom(...MCP_PROTOCOL_VERSIONS), junkText),
        capabilities: fc.oneof(fc.constant({}), jsonJunk),
        clientInfo: fc.oneof(
          fc.record({ name: fc.string({ maxLength: 20 }), version: fc.string({ maxLength: 8 }) }),
          jsonJunk,
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 2, arbitrary: jsonJunk },
);

/** A JSON-RPC message: every member optional, each valid, near-valid or of the wrong type. */
const rpcMessage = fc.record(
  {
    jsonrpc: fc.oneof(
      { weight: 6, arbitrary: fc.constant("2.0") },
      { weight: 1, arbitrary: fc.constantFrom("1.0", "2", 2) },
      { weight: 1, arbitrary: jsonJunk },
    ),
    id: fc.oneof(fc.nat(), fc.string({ maxLength: 10 }), fc.constant(null), jsonJunk),
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
      { weight: 2, arbitrary: junkText },
      { weight: 1, arbitrary: jsonJunk },
    ),
    params: rpcParams,
    result: jsonJunk,
    error: jsonJunk,
  },
  { requiredKeys: ["jsonrpc", "method"] },
);

/** Well-formed requests of every kind this server serves, with generated values. */
const validMessage: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.oneof(fc.nat(), fc.string({ maxLength: 10 })),
    fc.oneof(
      fc.constant({ method: "ping" }),
      fc.constant({ method: "tools/list" }),
      fc.constant({ method: "notifications/initialized" }),
      fc.constantFrom(...MCP_PROTOCOL_VERSIONS).map((protocolVersion) => ({
        method: "initialize",
        params: { protocolVersion, capabilities: {}, clientInfo: { name: "fuzz", version: "1" } },
      })),
      fc.constantFrom("whoami", "list_contexts").map((name) => ({
        method: "tools/call",
        params: { name, arguments: {} },
      })),
      fc
        .tuple(fc.constantFrom("get_context", "delete_context"), fc.oneof(fc.uuid(), junkText))
        .map(([name, id]) => ({ method: "tools/call", params: { name, arguments: { id } } })),
      fc
        .tuple(fc.oneof(fc.string({ maxLength: 40 }), junkText), fc.oneof(fc.string(), junkText))
        .map(([title, content]) => ({
          method: "tools/call",
          params: { name: "create_context", arguments: { title, content } },
        })),
    ),
  )
  .map(([id, message]) =>
    message.method.startsWith("notifications/")
      ? { jsonrpc: "2.0", ...message }
      : { jsonrpc: "2.0", id, ...message },
  );

/** A body for /mcp: one message, a batch, JSON junk, text junk, bytes, or too large. */
const mcpBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  { weight: 8, arbitrary: validMessage.map((m) => JSON.stringify(m)) },
  { weight: 6, arbitrary: rpcMessage.map((m) => JSON.stringify(m)) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(validMessage, rpcMessage), { maxLength: 4 })
      .map((b) => JSON.stringify(b)),
  },
  { weight: 2, arbitrary: fc.array(rpcMessage, { maxLength: 5 }).map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: jsonJunk.map((v) => JSON.stringify(v) ?? "null") },
  { weight: 1, arbitrary: junkText },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      "{",
      "[".repeat(10_000),
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "ping",
        params: { pad: "x".repeat(70_000) },
      }),
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"__proto__":{"name":"delete_context"}}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_context","arguments":{"title":"t","content":"c"}}}',
    ),
  },
);

/** Origins: the server's own, allowed localhost ports, look-alikes, foreign, junk. */
const originValue = headerValue(
  "http://localhost:6274",
  "http://127.0.0.1:8080",
  "http://localhost",
  "http://localhost:99999",
  "http://localhost.evil.com:3001",
  "https://evil.example.com",
  "null",
  `${ORIGIN}/`,
);
const protocolVersionValue = fc.oneof(
  fc.constantFrom(...MCP_PROTOCOL_VERSIONS),
  headerValue("2025-11-25", "2024-11-05", "1999-01-01", ""),
);
const contentTypeValue = headerValue(
  "application/json; charset=utf-8",
  "Application/JSON",
  "application/json-rpc",
  "text/plain",
  "application/x-www-form-urlencoded",
  "text/event-stream",
  "",
);
const acceptValue = headerValue(
  "application/json",
  "text/event-stream",
  "*/*",
  "application/json, text/event-stream;q=0",
  "text/html",
);
const mcpMethodValue = headerValue(...METHODS, "tools/call, tools/list");

/** Methods: POST mostly, else any other. */
const methodValue = fc.oneof(
  { weight: 8, arbitrary: fc.constant("POST") },
  {
    weight: 2,
    arbitrary: fc.constantFrom("GET", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "post"),
  },
);
/** Paths: the MCP endpoint, its spellings, the REST sibling, a token in the query. */
const pathValue = fc.oneof(
  { weight: 8, arbitrary: fc.constant("/mcp") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "/mcp/",
      "/MCP",
      "/mcp?access_token=x",
      "/mcp?x=%zz&y=%E0%A4%A",
      "/v1/contexts",
      "/v1/contexts/x",
      "//mcp",
      "/mcp/../mcp",
    ),
  },
);

// --- The resource server under test ------------------------------------------------------------

type Setup = Awaited<ReturnType<typeof setup>>;
let server: Setup;
/** A token for the fuzzing's own user, with every scope. */
let validToken = "";

beforeAll(async () => {
  server = await setup();
  validToken = await server.token({ sub: FUZZ_SUB, scope: `openid ${READ} ${WRITE}` });
});

/** A request as the properties describe it. */
interface Sent {
  method: string;
  path: string;
  headers: Pairs;
  body?: string | Uint8Array;
}

/** Sends a request to the resource server, in time. */
function send(request: Sent): Promise<Response> {
  const upper = request.method.toUpperCase();
  const init: RequestInit = { method: request.method, headers: request.headers };
  if (request.body !== undefined && upper !== "GET" && upper !== "HEAD") init.body = request.body;
  return withinTime(
    server.call(request.path, init),
    `${request.method} ${request.path} ${JSON.stringify(request.headers).slice(0, 300)}`,
  );
}

/**
 * The invariants of every answer: no 5xx, a body that arrives, a Bearer challenge naming the
 * metadata on a 401 or `insufficient_scope`, and an error body in JSON (OAuth `{"error"}` or a
 * JSON-RPC error).
 */
async function expectHandled(response: Response, request: Sent): Promise<unknown> {
  const text = await withinTime(response.text(), "reading the body");
  const shown = `${request.method} ${request.path} ${JSON.stringify(request.headers).slice(0, 200)} -> ${response.status} ${text.slice(0, 300)}`;
  expect(
    response.status,
    `${shown}\nunhandled: ${errorLines.filter((line) => line.includes("unhandled_error")).at(-1)}`,
  ).toBeLessThan(500);
  // Every Bearer failure carries the challenge (a refused Origin is not one).
  const challenged = response.status === 401 || text.includes('"insufficient_scope"');
  if (challenged)
    expect(response.headers.get("www-authenticate") ?? "", shown).toMatch(
      /^Bearer .*resource_metadata="/,
    );
  // A HEAD answer has no body, whatever its status.
  if (request.method.toUpperCase() === "HEAD") return undefined;
  if (text === "") {
    expect(response.status, shown).toBeLessThan(400);
    return undefined;
  }
  expect(response.headers.get("content-type") ?? "", shown).toMatch(/^application\/json/);
  const body = JSON.parse(text) as unknown;
  if (response.status >= 400) {
    const record = body as { error?: unknown };
    const isOAuth = typeof record.error === "string";
    const isRpc =
      typeof record.error === "object" &&
      record.error !== null &&
      typeof (record.error as { code?: unknown }).code === "number";
    expect(isOAuth || isRpc, shown).toBe(true);
  }
  return body;
}

/** A JSON-RPC answer of a 200: a response object, or an array of them. */
function expectRpcAnswer(body: unknown) {
  for (const message of Array.isArray(body) ? body : [body]) {
    expect(message).toMatchObject({ jsonrpc: "2.0" });
    const { result, error } = message as { result?: unknown; error?: unknown };
    expect(result !== undefined || error !== undefined).toBe(true);
  }
}

describe("fuzz: /mcp without a valid token is refused, never a 5xx", () => {
  it(
    "arbitrary headers and bodies, no token or a broken one",
    async () => {
      const authorization = fc.oneof(
        {
          weight: 3,
          arbitrary: headerValue(
            "Bearer x",
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "DPoP x",
            "bearer  a.b.c",
          ),
        },
        {
          weight: 2,
          arbitrary: fc
            .constant(null)
            .chain(() => mutated(validToken))
            .map((token) => toHeaderValue(`Bearer ${token}`)),
        },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 8_000, max: 20_000 }).map((n) => `Bearer ${"a".repeat(n)}`),
        },
      );
      await fc.assert(
        fc.asyncProperty(
          methodValue,
          pathValue,
          fc.option(authorization, { nil: undefined, freq: 4 }),
          headerSet({
            origin: { other: originValue },
            "mcp-protocol-version": { valid: () => "2025-11-25", other: protocolVersionValue },
            "mcp-method": { other: mcpMethodValue },
            "content-type": { valid: () => "application/json", other: contentTypeValue },
            accept: { valid: () => "application/json, text/event-stream", other: acceptValue },
          }),
          mcpBody,
          async (method, path, auth, others, body) => {
            const pairs: Pairs = auth === undefined ? others : [["authorization", auth], ...others];
            const request: Sent = { method, path, headers: pairs, body };
            const response = await send(request);
            await expectHandled(response, request);
            // Only a CORS preflight succeeds without a valid token.
            const broken = pairs.some(
              ([name, value]) =>
                name === "authorization" && value.includes(validToken.slice(0, 40)),
            );
            if (!broken && method.toUpperCase() !== "OPTIONS")
              expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
          },
        ),
        { numRuns: 600 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe("fuzz: /mcp with a valid token answers every JSON-RPC shape and header", () => {
  it(
    "JSON-RPC messages, batches and junk, with odd headers",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          methodValue,
          pathValue,
          headerSet({
            authorization: {
              valid: () => `Bearer ${validToken}`,
              other: headerValue("Bearer x", `Bearer ${"a".repeat(30)}`),
            },
            origin: { valid: () => ORIGIN, other: originValue },
            "mcp-protocol-version": { valid: () => "2025-11-25", other: protocolVersionValue },
            "mcp-method": { other: mcpMethodValue },
            "content-type": { valid: () => "application/json", other: contentTypeValue },
            accept: { valid: () => "application/json, text/event-stream", other: acceptValue },
          }),
          mcpBody,
          async (method, path, pairs, body) => {
            const request: Sent = { method, path, headers: pairs, body };
            const response = await send(request);
            const answer = await expectHandled(response, request);
            if (response.status === 200 && path === "/mcp" && answer !== undefined)
              expectRpcAnswer(answer);
          },
        ),
        { numRuns: 700 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "tokens the issuer signed over odd claims",
    async () => {
      const now = Math.floor(Date.UTC(2026, 10, 26, 12, 0, 0) / 1000);
      const claim = fc.oneof(
        { weight: 3, arbitrary: junkText },
        { weight: 2, arbitrary: jsonJunk },
        { weight: 1, arbitrary: fc.constantFrom(now, now - 7200, now + 7200, 1e300, -1, 0.5) },
      );
      const overrides = fc.record(
        {
          sub: fc.oneof(fc.constant(FUZZ_SUB), claim),
          client_id: fc.oneof(fc.constant("fuzzclient0000000000000001"), claim),
          scope: fc.oneof(fc.constantFrom(READ, `${READ} ${WRITE}`, "", WRITE), claim),
          token_use: fc.oneof(fc.constantFrom("access", "id"), claim),
          aud: fc.oneof(fc.constantFrom(`${ORIGIN}/mcp`, "https://other.example.com"), claim),
          username: claim,
          iss: fc.oneof(fc.constant("https://evil.example.com"), claim),
          exp: claim,
          iat: claim,
          nbf: claim,
        },
        { requiredKeys: [] },
      );
      const changed = fc.constantFrom<number | "all">(1, 1, 1, 2, "all");
      await fc.assert(
        fc.asyncProperty(
          overrides,
          changed,
          fc.oneof(validMessage, rpcMessage),
          async (all, count, message) => {
            // One or two odd claims in an otherwise valid token reach further than many at once.
            const changes =
              count === "all" ? all : Object.fromEntries(Object.entries(all).slice(0, count));
            const claims = {
              ...accessClaims(Date.UTC(2026, 10, 26, 12, 0, 0)),
              sub: FUZZ_SUB,
              ...changes,
            };
            // jose refuses to sign claims that are not JSON-serializable numbers where it reads them.
            const token = await sign(claims as JWTPayload, server.key).catch(() => undefined);
            if (token === undefined) return;
            const request: Sent = {
              method: "POST",
              path: "/mcp",
              headers: [
                ["authorization", `Bearer ${token}`],
                ["content-type", "application/json"],
                ["accept", "application/json, text/event-stream"],
                ["mcp-protocol-version", "2025-11-25"],
              ],
              body: JSON.stringify(message),
            };
            const response = await send(request);
            await expectHandled(response, request);
          },
        ),
        { numRuns: 300 },
      );
      expectNoUnhandledErrors();
    },
    PROPERTY_TIMEOUT_MS,
  );
});
