import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDiscoveryCache, parseCognitoDiscovery } from "./discovery";

const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC";
const doc = {
  issuer: ISSUER,
  authorization_endpoint: "https://p.auth.us-east-1.amazoncognito.com/oauth2/authorize",
  token_endpoint: "https://p.auth.us-east-1.amazoncognito.com/oauth2/token",
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
};

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe("Cognito discovery (OIDC Discovery §4.3)", () => {
  it("accepts a document for the configured issuer", () => {
    expect(parseCognitoDiscovery(doc, ISSUER)).toEqual(doc);
  });

  it("refuses another issuer", () => {
    expect(() => parseCognitoDiscovery({ ...doc, issuer: `${ISSUER}x` }, ISSUER)).toThrow(
      /"issuer" is/,
    );
  });

  it("names a missing field", () => {
    expect(() => parseCognitoDiscovery({ ...doc, token_endpoint: 1 }, ISSUER)).toThrow(
      '"token_endpoint" must be a non-empty string',
    );
  });

  it("refetches after an hour and keeps a stale copy when the refetch fails", async () => {
    let time = 0;
    let calls = 0;
    let fail = false;
    const get = createDiscoveryCache({
      now: () => time,
      fetch: async () => {
        calls++;
        return fail ? new Response("down", { status: 500 }) : Response.json(doc);
      },
    });
    await get(ISSUER);
    await get(ISSUER);
    expect(calls).toBe(1);
    time += 3_600_001;
    fail = true;
    await expect(get(ISSUER)).resolves.toEqual(doc);
    expect(calls).toBe(2);
  });

  it("answers 503 with Retry-After when there is no copy", async () => {
    const get = createDiscoveryCache({ fetch: async () => Response.json({ ...doc, issuer: "x" }) });
    await expect(get(ISSUER)).rejects.toMatchObject({
      code: "temporarily_unavailable",
      status: 503,
      headers: { "Retry-After": "10" },
    });
  });
});
