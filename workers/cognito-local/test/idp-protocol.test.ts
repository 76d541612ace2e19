import { SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  expectCognitoError,
  expectOk,
  POOL_ID,
  send,
  setLocalSettings,
  signedRequest,
  tamper,
  UUID,
} from "./idp-helpers";

beforeAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
});

afterAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 5, clockOffsetMs: 0 });
});

describe("AWS JSON 1.1 protocol: answers", () => {
  it("answers 200, application/x-amz-json-1.1 and a fresh x-amzn-requestid", async () => {
    const first = await call("DescribeUserPool", { UserPoolId: POOL_ID });
    const second = await call("DescribeUserPool", { UserPoolId: POOL_ID });
    expectOk(first);
    expectOk(second);
    expect(first.headers.get("x-amzn-requestid")).not.toBe(second.headers.get("x-amzn-requestid"));
  });

  it("errors carry __type, message, x-amzn-errortype with AWS's namespace, and a request id", async () => {
    const answer = await call("DescribeUserPool", { UserPoolId: "us-east-1_Nope" });
    expectCognitoError(
      answer,
      "ResourceNotFoundException",
      "User pool us-east-1_Nope does not exist.",
    );
    expect(answer.headers.get("x-amzn-errortype")).toBe(
      "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.cognito.identity.idp.model/",
    );
    const unsigned = await SELF.fetch("http://localhost:9229/", { method: "POST", body: "{}" });
    expect(unsigned.headers.get("x-amzn-errortype")).toBe(
      "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    );
    expect(unsigned.headers.get("x-amzn-requestid")).toMatch(UUID);
    await unsigned.arrayBuffer();
  });
});

describe("AWS JSON 1.1 protocol: target", () => {
  it("UnknownOperationException for an operation the stand-in does not serve", async () => {
    expectCognitoError(
      await call("AdminGetUser", { UserPoolId: POOL_ID, Username: "demo" }),
      "UnknownOperationException",
      "The operation AWSCognitoIdentityProviderService.AdminGetUser is unknown, or not served by the local Cognito stand-in.",
    );
  });

  it("UnknownOperationException for another service's target", async () => {
    expectCognitoError(
      await call("x", {}, { target: "DynamoDB_20120810.ListTables" }),
      "UnknownOperationException",
      "The operation DynamoDB_20120810.ListTables is unknown, or not served by the local Cognito stand-in.",
    );
  });

  it.each([["__proto__"], ["constructor"], ["toString"], ["hasOwnProperty"]])(
    "UnknownOperationException for %s, a name of Object.prototype (found by fuzzing: a 500 or a 200)",
    async (name) => {
      expectCognitoError(
        await call(name, { UserPoolId: POOL_ID }),
        "UnknownOperationException",
        `The operation AWSCognitoIdentityProviderService.${name} is unknown, or not served by the local Cognito stand-in.`,
      );
    },
  );

  it("UnknownOperationException without X-Amz-Target", async () => {
    const request = await signedRequest("x", { UserPoolId: POOL_ID }, { target: null });
    expect(request.headers.get("authorization")).toContain("SignedHeaders=host;x-amz-date,");
    expectCognitoError(
      await send(request),
      "UnknownOperationException",
      "The operation (no X-Amz-Target) is unknown, or not served by the local Cognito stand-in.",
    );
  });
});

describe("AWS JSON 1.1 protocol: body", () => {
  it("SerializationException for a body that is not JSON", async () => {
    expectCognitoError(
      await call("DescribeUserPool", "{not json"),
      "SerializationException",
      "The request body is not valid JSON.",
    );
  });

  it("SerializationException for JSON that is not an object", async () => {
    expectCognitoError(
      await call("DescribeUserPool", "[]"),
      "SerializationException",
      "The request body is not a JSON object.",
    );
  });

  it("SerializationException for a member of the wrong JSON type", async () => {
    expectCognitoError(
      await call("DescribeUserPool", { UserPoolId: 5 }),
      "SerializationException",
      "NUMBER_VALUE can not be converted to a String",
    );
    expectCognitoError(
      await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: "5" }),
      "SerializationException",
      "STRING_VALUE can not be converted to an Integer",
    );
    expectCognitoError(
      await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 2.5 }),
      "SerializationException",
      "NUMBER_VALUE can not be converted to an Integer",
    );
    expectCognitoError(
      await call("CreateUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientName: "x",
        GenerateSecret: "yes",
      }),
      "SerializationException",
      "STRING_VALUE can not be converted to a Boolean",
    );
    expectCognitoError(
      await call("CreateUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientName: "x",
        CallbackURLs: "https://a/cb",
      }),
      "SerializationException",
      "Unexpected STRING_VALUE where a structure, list or map was expected",
    );
    expectCognitoError(
      await call("CreateUserPoolClient", { UserPoolId: POOL_ID, ClientName: ["x"] }),
      "SerializationException",
      "Start of list found where not expected",
    );
    expectCognitoError(
      await call("CreateUserPoolClient", {
        UserPoolId: POOL_ID,
        ClientName: "x",
        TokenValidityUnits: [],
      }),
      "SerializationException",
      "Start of list found where not expected",
    );
  });

  it("ignores unknown members and nulls, as AWS does", async () => {
    expectOk(await call("DescribeUserPool", { UserPoolId: POOL_ID, Extra: { a: 1 }, Other: null }));
    expectCognitoError(
      await call("DescribeUserPool", { UserPoolId: null }),
      "InvalidParameterException",
      "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
    );
  });

  it("reads an empty body as {}", async () => {
    expectCognitoError(
      await call("DescribeUserPool", ""),
      "InvalidParameterException",
      "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe("AWS JSON 1.1 protocol: order of checks (signature, target, body, rate, operation)", () => {
  it("checks the signature before the target", async () => {
    const signed = await signedRequest("NoSuchOperation", {});
    const unsigned = await tamper(signed, { headers: { authorization: null } });
    expectCognitoError(
      await send(unsigned),
      "MissingAuthenticationTokenException",
      "Missing Authentication Token",
    );
  });

  it("checks the target before the body", async () => {
    const answer = await call("NoSuchOperation", "{not json");
    expect(answer.body.__type).toBe("UnknownOperationException");
  });

  it("checks the body before the rate limit, and the rate limit before the operation", async () => {
    await setLocalSettings({ rateLimitPerSecond: 1, clockOffsetMs: 10_000 });
    try {
      expectOk(await call("DescribeUserPool", { UserPoolId: POOL_ID }));
      expect((await call("DescribeUserPool", "{not json")).body.__type).toBe(
        "SerializationException",
      );
      expectCognitoError(
        await call("DescribeUserPool", { UserPoolId: "us-east-1_Nope" }),
        "TooManyRequestsException",
        "Rate exceeded",
      );
    } finally {
      await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
    }
  });
});

describe("per-operation rate limit", () => {
  it("TooManyRequestsException (HTTP 400, 'Rate exceeded') beyond rateLimitPerSecond calls of one operation", async () => {
    // Moving the clock on empties the limiter's one-second window of earlier calls.
    await setLocalSettings({ rateLimitPerSecond: 2, clockOffsetMs: 20_000 });
    try {
      expectOk(await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 1 }));
      expectOk(await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 1 }));
      expectCognitoError(
        await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 1 }),
        "TooManyRequestsException",
        "Rate exceeded",
      );
      // Other operations have their own budget.
      expectOk(await call("DescribeUserPool", { UserPoolId: POOL_ID }));
      // A second later the operation may be called again.
      await setLocalSettings({ clockOffsetMs: 21_500 });
      expectOk(await call("ListUserPoolClients", { UserPoolId: POOL_ID, MaxResults: 1 }));
    } finally {
      await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
    }
  });
});

describe("/_local/stats: what the IdP API was asked, for tests that keep to the limits", () => {
  it("counts accepted and throttled calls per operation, and the busiest second", async () => {
    const stats = async () =>
      (await (await SELF.fetch("http://localhost:9229/_local/stats")).json()) as {
        operations: Record<string, { accepted: number; throttled: number; peakPerSecond: number }>;
        peakPerSecond: number;
      };
    const before = await stats();
    const of = (s: Awaited<ReturnType<typeof stats>>, name: string) =>
      s.operations[name] ?? { accepted: 0, throttled: 0, peakPerSecond: 0 };
    await setLocalSettings({ rateLimitPerSecond: 2, clockOffsetMs: 40_000 });
    try {
      for (let i = 0; i < 3; i++) await call("DescribeUserPool", { UserPoolId: POOL_ID });
    } finally {
      await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
    }
    const after = await stats();
    expect(of(after, "DescribeUserPool").accepted - of(before, "DescribeUserPool").accepted).toBe(
      2,
    );
    expect(of(after, "DescribeUserPool").throttled - of(before, "DescribeUserPool").throttled).toBe(
      1,
    );
    expect(of(after, "DescribeUserPool").peakPerSecond).toBeGreaterThanOrEqual(2);
    expect(after.peakPerSecond).toBeGreaterThanOrEqual(of(after, "DescribeUserPool").peakPerSecond);
  });
});
