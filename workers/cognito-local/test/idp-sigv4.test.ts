import { beforeAll, describe, expect, it } from "vitest";
import {
  amzDate,
  call,
  expectCognitoError,
  expectOk,
  POOL_ID,
  send,
  setLocalSettings,
  signedRequest,
  tamper,
} from "./idp-helpers";

const DESCRIBE = { UserPoolId: POOL_ID };
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

beforeAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
});

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("SigV4: requests signed as AWS clients sign them are accepted", () => {
  it("accepts aws4fetch's signature (host;x-amz-date;x-amz-target)", async () => {
    const request = await signedRequest("DescribeUserPool", DESCRIBE);
    expect(request.headers.get("authorization")).toContain(
      "SignedHeaders=host;x-amz-date;x-amz-target,",
    );
    expectOk(await send(request));
  });

  it("accepts a signature that also covers content-type and other headers, as the AWS SDK's does", async () => {
    const request = await signedRequest("DescribeUserPool", DESCRIBE, {
      signContentType: true,
      headers: { "amz-sdk-invocation-id": crypto.randomUUID(), "x-amz-user-agent": "test/1.0" },
    });
    expect(request.headers.get("authorization")).toContain(
      "SignedHeaders=amz-sdk-invocation-id;content-type;host;x-amz-date;x-amz-target;x-amz-user-agent,",
    );
    expectOk(await send(request));
  });

  it("accepts a correct x-amz-content-sha256", async () => {
    const body = JSON.stringify(DESCRIBE);
    const request = await signedRequest("DescribeUserPool", body, {
      headers: { "x-amz-content-sha256": await sha256Hex(body) },
    });
    expectOk(await send(request));
  });

  it("judges the date by the stand-in's clock, which tests may move", async () => {
    await setLocalSettings({ clockOffsetMs: 60 * 60 * 1000 });
    try {
      const request = await signedRequest("DescribeUserPool", DESCRIBE, {
        datetime: amzDate(Date.now() + 60 * 60 * 1000),
      });
      expectOk(await send(request));
    } finally {
      await setLocalSettings({ clockOffsetMs: 0 });
    }
  });
});

describe("SigV4: rejections, with AWS's error types and messages", () => {
  it("MissingAuthenticationTokenException for an unsigned request", async () => {
    const request = await tamper(await signedRequest("DescribeUserPool", DESCRIBE), {
      headers: { authorization: null },
    });
    expectCognitoError(
      await send(request),
      "MissingAuthenticationTokenException",
      "Missing Authentication Token",
    );
  });

  it("MissingAuthenticationTokenException for an Authorization that is not SigV4", async () => {
    const request = await tamper(await signedRequest("DescribeUserPool", DESCRIBE), {
      headers: { authorization: "Bearer abc" },
    });
    expectCognitoError(
      await send(request),
      "MissingAuthenticationTokenException",
      "Missing Authentication Token",
    );
  });

  it("IncompleteSignatureException when parameters are missing", async () => {
    const authorization =
      "AWS4-HMAC-SHA256 Credential=AKIALOCALDEVELOPMENT/20260101/us-east-1/cognito-idp/aws4_request";
    const request = await tamper(await signedRequest("DescribeUserPool", DESCRIBE), {
      headers: { authorization },
    });
    expectCognitoError(
      await send(request),
      "IncompleteSignatureException",
      `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${authorization}`,
    );
  });

  it("IncompleteSignatureException when there is no X-Amz-Date", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const request = await tamper(signed, { headers: { "x-amz-date": null } });
    expectCognitoError(
      await send(request),
      "IncompleteSignatureException",
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${signed.headers.get("authorization")}`,
    );
  });

  it("IncompleteSignatureException for a date that is not ISO 8601 basic format", async () => {
    const request = await tamper(await signedRequest("DescribeUserPool", DESCRIBE), {
      headers: { "x-amz-date": "2026-01-01T00:00:00Z" },
    });
    expectCognitoError(
      await send(request),
      "IncompleteSignatureException",
      "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  it("IncompleteSignatureException for another algorithm", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const authorization = (signed.headers.get("authorization") as string).replace(
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA512",
    );
    const request = await tamper(signed, { headers: { authorization } });
    expectCognitoError(
      await send(request),
      "IncompleteSignatureException",
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
    );
  });

  it("UnrecognizedClientException for an unknown access key", async () => {
    const request = await signedRequest("DescribeUserPool", DESCRIBE, {
      accessKeyId: "AKIAUNKNOWNKEY000000",
    });
    expectCognitoError(
      await send(request),
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  });

  it("UnrecognizedClientException for a session token, which the stand-in never issues", async () => {
    const request = await signedRequest("DescribeUserPool", DESCRIBE, {
      sessionToken: "FwoGZXIvYXdzEXAMPLE",
    });
    expectCognitoError(
      await send(request),
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  });

  it("InvalidSignatureException for a wrong secret", async () => {
    const request = await signedRequest("DescribeUserPool", DESCRIBE, {
      secretAccessKey: "notTheSecretAccessKey0000000000000000000",
    });
    expectCognitoError(await send(request), "InvalidSignatureException", MISMATCH);
  });

  it("InvalidSignatureException for a body changed after signing", async () => {
    const request = await tamper(await signedRequest("DescribeUserPool", DESCRIBE), {
      body: JSON.stringify({ UserPoolId: "us-east-1_Other" }),
    });
    expectCognitoError(await send(request), "InvalidSignatureException", MISMATCH);
  });

  it("InvalidSignatureException for a target changed after signing", async () => {
    const request = await tamper(await signedRequest("DescribeUserPool", DESCRIBE), {
      headers: { "x-amz-target": "AWSCognitoIdentityProviderService.ListUserPoolClients" },
    });
    expectCognitoError(await send(request), "InvalidSignatureException", MISMATCH);
  });

  it("InvalidSignatureException for any other signed header changed after signing", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE, { signContentType: true });
    const request = await tamper(signed, {
      headers: { "content-type": "application/x-amz-json-1.0" },
    });
    expectCognitoError(await send(request), "InvalidSignatureException", MISMATCH);
  });

  it("InvalidSignatureException for a signed header that was removed", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE, {
      headers: { "x-extra": "1" },
    });
    const request = await tamper(signed, { headers: { "x-extra": null } });
    expectCognitoError(await send(request), "InvalidSignatureException", MISMATCH);
  });

  it("InvalidSignatureException for a signature of the wrong length", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const authorization = (signed.headers.get("authorization") as string).replace(
      /Signature=\w+/,
      "Signature=abc",
    );
    expectCognitoError(
      await send(await tamper(signed, { headers: { authorization } })),
      "InvalidSignatureException",
      MISMATCH,
    );
  });

  it("InvalidSignatureException for an x-amz-content-sha256 that is not the body's hash", async () => {
    // aws4fetch signs the claimed hash without reading the body, so the signature itself is valid.
    const request = await signedRequest("DescribeUserPool", DESCRIBE, {
      headers: { "x-amz-content-sha256": await sha256Hex("{}") },
    });
    expectCognitoError(await send(request), "InvalidSignatureException", MISMATCH);
  });

  it("InvalidSignatureException when X-Amz-Date is more than 5 minutes old", async () => {
    const now = Date.now();
    const date = amzDate(now - 6 * 60 * 1000);
    const answer = await call("DescribeUserPool", DESCRIBE, { datetime: date });
    expect(answer.body.__type).toBe("InvalidSignatureException");
    expect(answer.body.message).toMatch(
      new RegExp(
        `^Signature expired: ${date} is now earlier than (\\d{8}T\\d{6}Z) \\((\\d{8}T\\d{6}Z) - 5 min\\.\\)$`,
      ),
    );
    const [, limit, current] = /than (\S+) \((\S+) -/.exec(answer.body.message as string) ?? [];
    expect(parseAmzDate(current as string) - parseAmzDate(limit as string)).toBe(5 * 60 * 1000);
    expect(Math.abs(parseAmzDate(current as string) - now)).toBeLessThan(5000);
    expectCognitoError(answer, "InvalidSignatureException", answer.body.message as string);
  });

  it("InvalidSignatureException when X-Amz-Date is more than 5 minutes ahead", async () => {
    const date = amzDate(Date.now() + 6 * 60 * 1000);
    const answer = await call("DescribeUserPool", DESCRIBE, { datetime: date });
    expect(answer.body.__type).toBe("InvalidSignatureException");
    expect(answer.body.message).toMatch(
      new RegExp(
        `^Signature not yet current: ${date} is still later than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z \\+ 5 min\\.\\)$`,
      ),
    );
  });

  it("accepts a date just inside the window", async () => {
    expectOk(
      await call("DescribeUserPool", DESCRIBE, { datetime: amzDate(Date.now() - 4 * 60 * 1000) }),
    );
    expectOk(
      await call("DescribeUserPool", DESCRIBE, { datetime: amzDate(Date.now() + 4 * 60 * 1000) }),
    );
  });

  it("InvalidSignatureException for a credential scoped to another region", async () => {
    expectCognitoError(
      await call("DescribeUserPool", DESCRIBE, { region: "eu-west-1" }),
      "InvalidSignatureException",
      "Credential should be scoped to a valid region. ",
    );
  });

  it("InvalidSignatureException for a credential scoped to another service", async () => {
    expectCognitoError(
      await call("DescribeUserPool", DESCRIBE, { service: "cognito-identity" }),
      "InvalidSignatureException",
      "Credential should be scoped to correct service: 'cognito-idp'. ",
    );
  });

  it("InvalidSignatureException, all scope faults in one message", async () => {
    expectCognitoError(
      await call("DescribeUserPool", DESCRIBE, { region: "eu-west-1", service: "s3" }),
      "InvalidSignatureException",
      "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'cognito-idp'. ",
    );
  });

  it("InvalidSignatureException when the credential date is not X-Amz-Date's date", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const date = signed.headers.get("x-amz-date") as string;
    const authorization = (signed.headers.get("authorization") as string).replace(
      `/${date.slice(0, 8)}/`,
      "/20200101/",
    );
    expectCognitoError(
      await send(await tamper(signed, { headers: { authorization } })),
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20200101' != '${date.slice(0, 8)}', from '${date}'.`,
    );
  });

  it("InvalidSignatureException when x-amz-date is not among SignedHeaders", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const authorization = (signed.headers.get("authorization") as string).replace(
      "SignedHeaders=host;x-amz-date;x-amz-target",
      "SignedHeaders=host;x-amz-target",
    );
    expectCognitoError(
      await send(await tamper(signed, { headers: { authorization } })),
      "InvalidSignatureException",
      "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("InvalidSignatureException when host is not among SignedHeaders", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const authorization = (signed.headers.get("authorization") as string).replace(
      "SignedHeaders=host;x-amz-date;x-amz-target",
      "SignedHeaders=x-amz-date;x-amz-target",
    );
    expectCognitoError(
      await send(await tamper(signed, { headers: { authorization } })),
      "InvalidSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("InvalidSignatureException when SignedHeaders is not in canonical order", async () => {
    const signed = await signedRequest("DescribeUserPool", DESCRIBE);
    const authorization = (signed.headers.get("authorization") as string).replace(
      "SignedHeaders=host;x-amz-date;x-amz-target",
      "SignedHeaders=x-amz-target;host;x-amz-date",
    );
    expectCognitoError(
      await send(await tamper(signed, { headers: { authorization } })),
      "InvalidSignatureException",
      MISMATCH,
    );
  });
});

function parseAmzDate(text: string): number {
  const time = Date.parse(
    text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  if (Number.isNaN(time)) throw new Error(`not an amz date: ${text}`);
  return time;
}
