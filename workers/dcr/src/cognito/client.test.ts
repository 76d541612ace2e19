import { describe, expect, it } from "vitest";
import { CognitoError, callCognito, cognitoRequest, processCognitoResponse } from "./client";

const OPTIONS = {
  endpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
  region: "us-east-1",
  accessKeyId: "AKIAEXAMPLE",
  secretAccessKey: "secret",
};

function amzError(body: object | string, headers: Record<string, string> = {}, status = 400) {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "x-amzn-requestid": "req-1", ...headers },
  });
}

describe("cognitoRequest: a SigV4-signed IdP JSON API call", () => {
  it("posts the operation with aws4fetch's signature through the injected fetch", async () => {
    let seen: Request | undefined;
    await cognitoRequest(
      "ListUserPoolClients",
      { UserPoolId: "p" },
      {
        ...OPTIONS,
        fetch: async (input, init) => {
          seen = new Request(input, init);
          return Response.json({});
        },
      },
    );
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe(OPTIONS.endpoint);
    expect(seen?.headers.get("x-amz-target")).toBe(
      "AWSCognitoIdentityProviderService.ListUserPoolClients",
    );
    expect(seen?.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(seen?.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\/\d{8}\/us-east-1\/cognito-idp\/aws4_request, /,
    );
    expect(await seen?.json()).toEqual({ UserPoolId: "p" });
  });
});

describe("an unreachable Cognito", () => {
  it("is a CognitoError NetworkError, not retried", async () => {
    let calls = 0;
    const error = await callCognito(
      "X",
      {},
      {
        ...OPTIONS,
        fetch: async () => {
          calls++;
          throw new TypeError("Network connection lost.");
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: "NetworkError", status: 0 });
    expect(calls).toBe(1);
  });
});

describe("processCognitoResponse", () => {
  it("returns the JSON object of a 200", async () => {
    await expect(processCognitoResponse(Response.json({ a: 1 }))).resolves.toEqual({ a: 1 });
  });

  it("names the error by __type, stripping a namespace", async () => {
    const error = await processCognitoResponse(
      amzError({ __type: "com.amazonaws.cognito#ResourceNotFoundException", message: "gone" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect(error).toMatchObject({
      type: "ResourceNotFoundException",
      status: 400,
      requestId: "req-1",
    });
  });

  it("falls back to x-amzn-errortype when the body is not JSON", async () => {
    const error = await processCognitoResponse(
      amzError(
        "<html>",
        { "x-amzn-errortype": "UnrecognizedClientException:http://internal" },
        403,
      ),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: "UnrecognizedClientException", status: 403 });
  });

  it("refuses a 200 that is not a JSON object", async () => {
    await expect(processCognitoResponse(new Response("[]"))).rejects.toMatchObject({
      type: "InvalidResponse",
    });
  });
});

describe("callCognito retries", () => {
  it("does not retry a client error", async () => {
    let calls = 0;
    const error = await callCognito(
      "X",
      {},
      {
        ...OPTIONS,
        sleep: async () => {},
        fetch: async () => {
          calls++;
          return amzError({ __type: "InvalidParameterException", message: "no" });
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: "InvalidParameterException" });
    expect(calls).toBe(1);
  });

  it("caps the backoff ceiling at 3 s", async () => {
    const sleeps: number[] = [];
    await callCognito(
      "X",
      {},
      {
        ...OPTIONS,
        maxAttempts: 7,
        random: () => 0.999,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        fetch: async () =>
          amzError({ __type: "TooManyRequestsException", message: "Rate exceeded" }),
      },
    ).catch(() => undefined);
    expect(sleeps).toEqual([199, 399, 799, 1598, 2997, 2997]);
  });
});
