import { OAuthError } from "@mcp-cognito-workers/http";
import { describe, expect, it } from "vitest";
import { assertRegisteredMethod, parseBasicCredentials, readPresentedClient } from "./client-auth";

const form = (entries: Record<string, string>) => new Map(Object.entries(entries));

function thrown(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error("did not throw");
}

describe("RFC 6749 §2.3.1: HTTP Basic credentials are form-encoded id and secret", () => {
  it("reads a plain id and secret", () => {
    expect(parseBasicCredentials(`Basic ${btoa("client:secret")}`)).toEqual({
      clientId: "client",
      clientSecret: "secret",
    });
  });

  it("decodes form-encoded characters, a colon in the id included", () => {
    expect(parseBasicCredentials(`Basic ${btoa("my%3Aclient:p%40ss+w%2Bord%3A")}`)).toEqual({
      clientId: "my:client",
      clientSecret: "p@ss w+ord:",
    });
  });

  it("takes the scheme in any case", () => {
    expect(parseBasicCredentials(`basic ${btoa("a:b")}`)).toEqual({
      clientId: "a",
      clientSecret: "b",
    });
  });

  it.each([
    ["not base64", "Basic !!!"],
    ["bad padding", "Basic YTpi="],
    ["no colon", `Basic ${btoa("client")}`],
    ["an empty id", `Basic ${btoa(":secret")}`],
    ["an empty secret", `Basic ${btoa("client:")}`],
    ["a bad percent-encoding", `Basic ${btoa("client:%zz")}`],
    ["another scheme", `Bearer ${btoa("a:b")}`],
    ["no credentials", "Basic "],
  ])("refuses %s", (_, header) => {
    expect(parseBasicCredentials(header)).toBeUndefined();
  });
});

describe("RFC 6749 §2.3: one client authentication method per request", () => {
  it("Basic", () => {
    expect(readPresentedClient(`Basic ${btoa("a:s")}`, form({}))).toEqual({
      clientId: "a",
      method: "client_secret_basic",
      clientSecret: "s",
    });
    // The same client_id in the body as well is allowed.
    expect(readPresentedClient(`Basic ${btoa("a:s")}`, form({ client_id: "a" })).method).toBe(
      "client_secret_basic",
    );
  });

  it("client_secret in the body", () => {
    expect(readPresentedClient(undefined, form({ client_id: "a", client_secret: "s" }))).toEqual({
      clientId: "a",
      method: "client_secret_post",
      clientSecret: "s",
    });
  });

  it("client_id alone", () => {
    expect(readPresentedClient("", form({ client_id: "a" }))).toEqual({
      clientId: "a",
      method: "none",
    });
  });

  it("refuses bad Basic, no client, an empty secret with 401 and a Basic challenge", () => {
    for (const error of [
      thrown(() => readPresentedClient("Basic !!!", form({}))),
      thrown(() => readPresentedClient(undefined, form({}))),
      thrown(() => readPresentedClient(undefined, form({ client_id: "a", client_secret: "" }))),
    ]) {
      expect(error.code).toBe("invalid_client");
      expect(error.status).toBe(401);
      expect(error.headers["WWW-Authenticate"]).toBe('Basic realm="token"');
    }
  });

  it("refuses two methods, or ids that disagree, with invalid_request", () => {
    const two = thrown(() =>
      readPresentedClient(`Basic ${btoa("a:s")}`, form({ client_secret: "s" })),
    );
    expect([two.code, two.status]).toEqual(["invalid_request", 400]);
    const other = thrown(() =>
      readPresentedClient(`Basic ${btoa("a:s")}`, form({ client_id: "b" })),
    );
    expect(other.description).toBe('"client_id" does not match the Basic credentials');
  });

  it("assertRegisteredMethod refuses any method but the registered one", () => {
    expect(() => assertRegisteredMethod({ clientId: "a", method: "none" }, "none")).not.toThrow();
    const error = thrown(() =>
      assertRegisteredMethod(
        { clientId: "a", method: "client_secret_post", clientSecret: "s" },
        "none",
      ),
    );
    expect([error.code, error.status, error.description]).toEqual([
      "invalid_client",
      401,
      "this client is public: send client_id only, with no secret",
    ]);
    expect(
      thrown(() => assertRegisteredMethod({ clientId: "a", method: "none" }, "client_secret_basic"))
        .description,
    ).toBe("this client must authenticate with client_secret_basic");
  });
});
