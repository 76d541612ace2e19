// Property-based fuzzing of the stand-in's IdP JSON API (`POST /`): correctly signed requests of
// every operation with valid, near-valid and wrongly typed members; odd `X-Amz-Target`s; and
// unsigned, mis-signed and tampered requests. Every answer must arrive in time, never be a 5xx,
// and be Cognito's JSON error (`__type`, `message`, `x-amzn-requestid`) when it is not a 200.
// fast-check prints the seed and the shrunk counterexample of a failure; rerun it with
// `fc.assert(property, { seed, path })`.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OPERATIONS } from "../src/idp/operations";
import worker from "../src/index";
import { IDP_URL, POOL_ID, setLocalSettings, signedRequest, tamper, UUID } from "./idp-helpers";

/** Longest a single call (or reading its body) may take before it counts as a hang. */
const CALL_TIMEOUT_MS = 5_000;
/**
 * Vitest's limit for one property, its runs and any shrinking. Unloaded, each takes a few
 * seconds; the margin is for a CI machine shared with other jobs (a hang fails per call anyway).
 */
const PROPERTY_TIMEOUT_MS = 120_000;
const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
const OPERATION_NAMES = Object.keys(OPERATIONS);

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

// --- Generators --------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlCharacter = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((c) => String.fromCharCode(c));
const awkwardCharacter = fc.oneof(
  controlCharacter,
  loneSurrogate,
  fc.constantFrom('"', "\\", "'", "{", "}", "[", "]", "=", ",", "/", " ", "\u2028", "é", "𝕏"),
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
        fc.integer({ min: 500, max: 20_000 }),
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
        fc.constantFrom("A", "%", ",", "=", " x", "/"),
        fc.integer({ min: 4_000, max: 20_000 }),
      )
      .map(([unit, times]) => unit.repeat(times)),
  },
);

/** 64 lowercase hex digits: the shape of a signature or a payload hash. */
const hex64 = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""));

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

/** A member value: plausible for some member, of another JSON type, junk, or none (removed). */
const memberValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      POOL_ID,
      "us-east-1_Nope",
      "fuzz-client",
      ["code"],
      ["code", "implicit", "client_credentials"],
      ["openid", "email", "mcp-api/read"],
      ["https://app.example.com/cb"],
      ["http://evil.example.com/cb", "https://a.example.com/#f"],
      ["COGNITO", "Google"],
      ["ALLOW_USER_SRP_AUTH", "ADMIN_NO_SRP_AUTH"],
      { AccessToken: "minutes", IdToken: "days", RefreshToken: "seconds" },
      { Feature: "ENABLED", RetryGracePeriodSeconds: 61 },
      [{ Name: "email", Value: "a@example.com" }, { Name: "custom:x" }, null],
      "Fuzz-Passw0rd!",
      "short",
      "RESEND",
      "SUPPRESS",
      true,
      false,
      0,
      -1,
      60,
      3.5,
      86_401,
      315_360_001,
      2 ** 53,
      null,
      [],
      {},
      [null],
    ),
  },
  { weight: 2, arbitrary: junkText },
  { weight: 2, arbitrary: jsonJunk },
  { weight: 1, arbitrary: fc.array(junkText, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(junkText, jsonJunk, { maxKeys: 3 }) },
);

/** Members the operations read (from the service model), and a few they do not. */
const MEMBER_NAMES = [
  "UserPoolId",
  "ClientId",
  "ClientName",
  "GenerateSecret",
  "ClientSecret",
  "RefreshTokenValidity",
  "AccessTokenValidity",
  "IdTokenValidity",
  "TokenValidityUnits",
  "ReadAttributes",
  "WriteAttributes",
  "ExplicitAuthFlows",
  "SupportedIdentityProviders",
  "CallbackURLs",
  "LogoutURLs",
  "DefaultRedirectURI",
  "AllowedOAuthFlows",
  "AllowedOAuthScopes",
  "AllowedOAuthFlowsUserPoolClient",
  "PreventUserExistenceErrors",
  "EnableTokenRevocation",
  "EnablePropagateAdditionalUserContextData",
  "AuthSessionValidity",
  "RefreshTokenRotation",
  "MaxResults",
  "NextToken",
  "Username",
  "UserAttributes",
  "ValidationData",
  "TemporaryPassword",
  "ForceAliasCreation",
  "MessageAction",
  "DesiredDeliveryMediums",
  "ClientMetadata",
  "Password",
  "Permanent",
  "__proto__",
  "constructor",
  "userPoolId",
];

/** Member changes: a name the model knows (mostly) or junk, and any value. */
const memberChanges = fc.array(
  fc.tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...MEMBER_NAMES) },
      { weight: 1, arbitrary: junkText },
    ),
    memberValue,
  ),
  { maxLength: 4 },
);

// --- The stand-in under test -------------------------------------------------------------------

/** An app client and a user the properties may change or delete; replaced when deleted. */
const target = { clientId: "", username: "" };
let serial = 0;

/** A name no other run uses. */
function fuzzName(prefix: string): string {
  serial++;
  return `${prefix}-${serial}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * The stand-in's own entry point, called in this isolate: it hands the request to the pool's
 * Durable Object as under wrangler. (`SELF.fetch` would do the same, but under
 * vitest-pool-workers each call through it gets slower than the last — about 10 ms to 400 ms
 * over 600 calls, workers-sdk issue #15446 — which a fuzzing run's hundreds of calls cannot
 * afford.)
 */
async function callWorker(request: Request): Promise<Response> {
  // A test's Request lacks the `cf` properties of an incoming one, which the stand-in never reads.
  return worker.fetch(request as Parameters<typeof worker.fetch>[0], env);
}

/** Calls an operation, correctly signed, and returns its JSON answer (the test's own set-up). */
async function idp(operation: string, body: object): Promise<Record<string, unknown>> {
  const response = await callWorker(await signedRequest(operation, body));
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${operation}: ${JSON.stringify(answer)}`);
  return answer;
}

async function createTargetClient(): Promise<void> {
  const answer = await idp("CreateUserPoolClient", {
    UserPoolId: POOL_ID,
    ClientName: "fuzz-target",
  });
  target.clientId = String((answer.UserPoolClient as { ClientId: string }).ClientId);
}

async function createTargetUser(): Promise<void> {
  target.username = fuzzName("fuzz-user");
  await idp("AdminCreateUser", {
    UserPoolId: POOL_ID,
    Username: target.username,
    MessageAction: "SUPPRESS",
  });
}

beforeAll(async () => {
  // The stand-in's own logs of refused requests would drown the report.
  vi.spyOn(console, "log").mockImplementation(() => {});
  await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
  await createTargetClient();
  await createTargetUser();
});

afterAll(async () => {
  await idp("DeleteUserPoolClient", { UserPoolId: POOL_ID, ClientId: target.clientId }).catch(
    () => {},
  );
  await idp("AdminDeleteUser", { UserPoolId: POOL_ID, Username: target.username }).catch(() => {});
  await setLocalSettings({ rateLimitPerSecond: 5, clockOffsetMs: 0 });
  vi.restoreAllMocks();
});

/** A valid input of each operation, aimed at the fuzzing's own client and user. */
function validInput(operation: string): Record<string, unknown> {
  switch (operation) {
    case "CreateUserPoolClient":
      return {
        UserPoolId: POOL_ID,
        ClientName: "fuzz-client",
        CallbackURLs: ["https://app.example.com/cb"],
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "mcp-api/read"],
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ["COGNITO"],
      };
    case "UpdateUserPoolClient":
      return {
        UserPoolId: POOL_ID,
        ClientId: target.clientId,
        ClientName: "fuzz-target",
        CallbackURLs: ["http://127.0.0.1:7777/cb"],
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid"],
        AllowedOAuthFlowsUserPoolClient: true,
      };
    case "DescribeUserPoolClient":
    case "DeleteUserPoolClient":
      return { UserPoolId: POOL_ID, ClientId: target.clientId };
    case "ListUserPoolClients":
      return { UserPoolId: POOL_ID, MaxResults: 5 };
    case "AdminCreateUser":
      return { UserPoolId: POOL_ID, Username: fuzzName("fuzz-new"), MessageAction: "SUPPRESS" };
    case "AdminSetUserPassword":
      return {
        UserPoolId: POOL_ID,
        Username: target.username,
        Password: "Fuzz-Passw0rd!",
        Permanent: true,
      };
    case "AdminDeleteUser":
      return { UserPoolId: POOL_ID, Username: target.username };
    default:
      return { UserPoolId: POOL_ID };
  }
}

/**
 * Keeps the fuzzing off what other tests rely on: the demo user and the static client are never
 * the subject of a changing operation (a changed name points back at the fuzzing's own).
 */
function spareSharedState(operation: string, input: Record<string, unknown>) {
  if (typeof input.Username === "string" && input.Username.toLowerCase() === env.DEMO_USERNAME)
    input.Username = target.username;
  if (input.ClientId === env.STATIC_CLIENT_ID && operation !== "DescribeUserPoolClient")
    input.ClientId = target.clientId;
}

/** Undoes what a successful run created or deleted, so that the next runs find the same pool. */
async function tidyUp(operation: string, input: Record<string, unknown>, answer: unknown) {
  if (operation === "CreateUserPoolClient") {
    const id = (answer as { UserPoolClient?: { ClientId?: unknown } }).UserPoolClient?.ClientId;
    await idp("DeleteUserPoolClient", { UserPoolId: POOL_ID, ClientId: id });
  } else if (operation === "AdminCreateUser") {
    await idp("AdminDeleteUser", { UserPoolId: POOL_ID, Username: input.Username });
  } else if (operation === "DeleteUserPoolClient" && input.ClientId === target.clientId) {
    await createTargetClient();
  } else if (operation === "AdminDeleteUser" && input.Username === target.username) {
    await createTargetUser();
  }
}

/** Sends a request to the stand-in, in time. */
function send(request: Request, what: string): Promise<Response> {
  return withinTime(callWorker(request), what);
}

/**
 * The invariants of every answer of `POST /`: no 5xx, a body that arrives, Cognito's content type
 * and a request id, and for an error the JSON `{"__type","message"}` that SDKs read.
 */
async function expectIdpAnswer(response: Response, what: string): Promise<unknown> {
  const bytes = await withinTime(response.arrayBuffer(), "reading the body");
  const text = new TextDecoder().decode(bytes);
  const shown = `${what.slice(0, 300)} -> ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, shown).toBeLessThan(500);
  expect(response.headers.get("content-type"), shown).toBe("application/x-amz-json-1.1");
  expect(response.headers.get("x-amzn-requestid"), shown).toMatch(UUID);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (response.status !== 200) {
    expect(response.status, shown).toBe(400);
    expect(typeof body.__type, shown).toBe("string");
    expect(typeof body.message, shown).toBe("string");
    expect(response.headers.get("x-amzn-errortype"), shown).toMatch(
      new RegExp(`^${String(body.__type)}:http://internal\\.amazon\\.com/coral/`),
    );
  }
  return body;
}

// --- Properties --------------------------------------------------------------------------------

describe("fuzz: the IdP JSON API answers signed requests of every operation with Cognito's JSON", () => {
  it(
    "each operation, its members valid, of the wrong type, missing or junk",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...OPERATION_NAMES),
          memberChanges,
          fc.constantFrom<number | "all">(0, 1, 1, 2, "all"),
          fc.oneof(
            { weight: 9, arbitrary: fc.constant(undefined) },
            {
              weight: 1,
              arbitrary: fc.constantFrom("", "null", "[]", "{", '"x"', "\ufeff{}", "1"),
            },
          ),
          async (operation, changes, applied, rawBody) => {
            // Built from entries, so that a member named `__proto__` is an own member of the JSON.
            const members = new Map(Object.entries(validInput(operation)));
            for (const [name, value] of applied === "all" ? changes : changes.slice(0, applied)) {
              if (value === undefined) members.delete(name);
              else members.set(name, value);
            }
            const input: Record<string, unknown> = Object.fromEntries(members);
            spareSharedState(operation, input);
            const body = rawBody ?? JSON.stringify(input);
            const what = `${operation} ${body}`;
            const response = await send(await signedRequest(operation, body), what);
            const answer = await expectIdpAnswer(response, what);
            if (response.status === 200) await tidyUp(operation, input, answer);
          },
        ),
        { numRuns: 400 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "odd X-Amz-Target values, correctly signed",
    async () => {
      const targetValue = fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .constantFrom(
              "__proto__",
              "constructor",
              "toString",
              "valueOf",
              "hasOwnProperty",
              "isPrototypeOf",
              "__defineGetter__",
              "AdminGetUser",
              "InitiateAuth",
              "createUserPoolClient",
              "",
              ...OPERATION_NAMES,
            )
            .map((name) => `${TARGET_PREFIX}${name}`),
        },
        {
          weight: 2,
          arbitrary: fc
            .string({ unit: headerCharacter, maxLength: 40 })
            .map((name) => `${TARGET_PREFIX}${name}`.trim()),
        },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            "DynamoDB_20120810.ListTables",
            "AWSCognitoIdentityProviderService",
            "awscognitoidentityproviderservice.DescribeUserPool",
            ` ${TARGET_PREFIX}DescribeUserPool`,
            `${TARGET_PREFIX}DescribeUserPool, ${TARGET_PREFIX}DeleteUserPoolClient`,
            `${TARGET_PREFIX}${TARGET_PREFIX}DescribeUserPool`,
          ),
        },
        { weight: 1, arbitrary: headerJunk },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.option(targetValue, { nil: null, freq: 10 }),
          fc.oneof(
            fc.constant(JSON.stringify({ UserPoolId: POOL_ID })),
            jsonJunk.map((value) => JSON.stringify(value) ?? "null"),
          ),
          async (targetHeader, body) => {
            const what = `target ${targetHeader} ${body}`;
            const request = await signedRequest("x", body, { target: targetHeader });
            const response = await send(request, what);
            await expectIdpAnswer(response, what);
          },
        ),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "unsigned, mis-signed and tampered requests",
    async () => {
      const authorization = fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .record({
              algorithm: fc.constantFrom("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", "AWS4-", "AWS4"),
              credential: fc.oneof(
                fc.constantFrom(
                  `${env.LOCAL_ACCESS_KEY_ID}/20260101/us-east-1/cognito-idp/aws4_request`,
                  `${env.LOCAL_ACCESS_KEY_ID}/20260101/us-east-1/cognito-idp`,
                  "x/y/z/w/v/u",
                  "",
                  "/////",
                ),
                fc.string({ unit: headerCharacter, maxLength: 60 }),
              ),
              signedHeaders: fc.oneof(
                fc.constantFrom(
                  "host;x-amz-date",
                  "host",
                  "x-amz-date",
                  "host;x-amz-date;x-amz-target",
                  ";;",
                  "",
                ),
                fc.string({ unit: headerCharacter, maxLength: 40 }),
              ),
              signature: fc.oneof(hex64, headerJunk),
              separator: fc.constantFrom(", ", ",", " ", ",,", ", , "),
            })
            .map(
              ({ algorithm, credential, signedHeaders, signature, separator }) =>
                `${algorithm} Credential=${credential}${separator}SignedHeaders=${signedHeaders}${separator}Signature=${signature}`,
            ),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "AWS4-HMAC-SHA256",
            "Bearer x",
            "AWS4-HMAC-SHA256 Credential=",
          ),
        },
        { weight: 1, arbitrary: headerJunk },
      );
      const amzDate = fc.oneof(
        fc
          .date({
            min: new Date(Date.now() - 3_600_000),
            max: new Date(Date.now() + 3_600_000),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString().replace(/[:-]|\.\d{3}/g, "")),
        fc.constantFrom("20260231T000000Z", "20261301T000000Z", "2026-01-01T00:00:00Z", "0", ""),
        fc.string({ unit: headerCharacter, maxLength: 20 }),
      );
      const headerChanges = fc.record(
        {
          authorization: fc.option(authorization, { nil: null, freq: 6 }),
          "x-amz-date": fc.option(amzDate, { nil: null, freq: 6 }),
          "x-amz-target": fc.option(
            fc.oneof(
              fc.constantFrom(...OPERATION_NAMES).map((name) => `${TARGET_PREFIX}${name}`),
              headerJunk,
            ),
            { nil: null, freq: 6 },
          ),
          "x-amz-content-sha256": fc.option(
            fc.oneof(hex64, fc.constant("UNSIGNED-PAYLOAD"), headerJunk),
            { nil: null, freq: 6 },
          ),
          "x-amz-security-token": headerJunk,
          "content-type": fc.oneof(
            fc.constantFrom("application/x-amz-json-1.1", "application/json", "text/plain", ""),
            headerJunk,
          ),
          host: fc.constantFrom("localhost:9229", "evil.example.com", "localhost"),
        },
        { requiredKeys: [] },
      );
      const body = fc.oneof(
        fc.constant(JSON.stringify({ UserPoolId: POOL_ID })),
        jsonJunk.map((value) => JSON.stringify(value) ?? "null"),
        junkText,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...OPERATION_NAMES),
          headerChanges,
          fc.option(body, { nil: undefined, freq: 3 }),
          fc.boolean(),
          async (operation, changes, newBody, unsigned) => {
            const request = unsigned
              ? new Request(IDP_URL, {
                  method: "POST",
                  headers: Object.entries(changes).filter(
                    (entry): entry is [string, string] => typeof entry[1] === "string",
                  ),
                  ...(newBody === undefined ? {} : { body: newBody }),
                })
              : await tamper(
                  await signedRequest(operation, JSON.stringify(validInput(operation))),
                  {
                    headers: changes,
                    ...(newBody === undefined ? {} : { body: newBody }),
                  },
                );
            const what = `${unsigned ? "unsigned" : "tampered"} ${operation} ${JSON.stringify(changes)} ${newBody ?? ""}`;
            const response = await send(request, what);
            await expectIdpAnswer(response, what);
          },
        ),
        { numRuns: 500 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
