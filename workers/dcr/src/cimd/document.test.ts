import { describe, expect, it } from "vitest";
import { compileRedirectPattern, type RegistrationPolicy } from "../config";
import { assertCimdUrl, CimdError, isCimdClientId, parseCimdDocument } from "./document";

const POLICY: RegistrationPolicy = {
  allowedScopes: ["openid", "email", "mcp-api/read", "mcp-api/write"],
  defaultScopes: ["openid", "mcp-api/read"],
  stepUpScopes: ["mcp-api/write"],
  allowClientCredentials: false,
  redirectUriAllowPatterns: [],
  accessTokenMinutes: 15,
};
const URL_ID = "https://client.example.com/oauth/client.json";
const PUBLIC = { allowLocalUrls: false };
const LOCAL = { allowLocalUrls: true };

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

/** Expects `run` to throw a CimdError with exactly `message`. */
function expectRefused(run: () => unknown, message: string) {
  const error = refusal(run);
  expect(error).toBeInstanceOf(CimdError);
  expect(error).toMatchObject({ name: "CimdError", message });
}

function doc(fields: Record<string, unknown> = {}) {
  return { client_id: URL_ID, redirect_uris: ["https://client.example.com/callback"], ...fields };
}

describe("isCimdClientId: a client_id is a CIMD URL when it starts with http(s)://", () => {
  it.each([
    ["https://client.example.com/c.json", true],
    ["http://localhost:3000/c.json", true],
    ["https://", true],
    ["3n4jk5l6m7n8o9p0q1r2s3t4u5", false],
    ["urn:client:1", false],
    ["", false],
  ])("%j → %s", (clientId, expected) => {
    expect(isCimdClientId(clientId)).toBe(expected);
  });
});

describe("assertCimdUrl: a well-formed public https URL passes", () => {
  it.each([
    URL_ID,
    "https://example.com/client",
    "https://mcp.client.example.com/.well-known/oauth-client?v=2",
    "https://app.example.org/a/b/c",
  ])("%s", (clientId) => {
    expect(assertCimdUrl(clientId, PUBLIC).href).toBe(clientId);
    expect(assertCimdUrl(clientId, LOCAL).href).toBe(clientId);
  });
});

describe("assertCimdUrl: the URL is at most 2048 characters", () => {
  it("refuses 2049 characters and accepts 2048", () => {
    const base = "https://client.example.com/";
    expectRefused(
      () => assertCimdUrl(base + "a".repeat(2049 - base.length), PUBLIC),
      "client_id URL must be at most 2048 characters",
    );
    expect(assertCimdUrl(base + "a".repeat(2048 - base.length), PUBLIC).href).toHaveLength(2048);
  });
});

describe("assertCimdUrl: the client_id is a URL", () => {
  it("refuses a string the URL parser rejects", () => {
    expectRefused(() => assertCimdUrl("https://", PUBLIC), "client_id is not a valid URL");
    expectRefused(() => assertCimdUrl("not a url", PUBLIC), "client_id is not a valid URL");
  });
});

describe("assertCimdUrl: the scheme is https (draft §3)", () => {
  it.each([
    "http://client.example.com/c.json",
    "http://localhost:3000/c.json",
    "ftp://client.example.com/c.json",
    "urn:ietf:client",
  ])("refuses %s", (clientId) => {
    expectRefused(() => assertCimdUrl(clientId, PUBLIC), "client_id URL must use https");
  });
});

describe("assertCimdUrl: with allowLocalUrls, http is allowed on loopback hosts only", () => {
  it.each([
    "http://localhost/c.json",
    "http://localhost:3000/c.json",
    "http://127.0.0.1:8787/c.json",
    "http://[::1]:9000/c.json",
    "https://localhost:8443/c.json",
    "https://127.0.0.1/c.json",
    "https://[::1]/c.json",
  ])("accepts %s", (clientId) => {
    expect(assertCimdUrl(clientId, LOCAL).href).toBe(clientId);
  });

  it.each([
    "http://client.example.com/c.json",
    "http://127.0.0.2/c.json",
    "http://sub.localhost/c.json",
    "http://10.0.0.1/c.json",
  ])("refuses %s", (clientId) => {
    expectRefused(
      () => assertCimdUrl(clientId, LOCAL),
      "client_id URL must use https; http is allowed only for localhost, 127.0.0.1 and [::1]",
    );
  });

  it("still applies every other rule to loopback URLs", () => {
    expectRefused(
      () => assertCimdUrl("http://localhost:3000/", LOCAL),
      'client_id URL must have a path other than "/"',
    );
    expectRefused(
      () => assertCimdUrl("http://localhost/c.json#x", LOCAL),
      "client_id URL must not contain a fragment",
    );
    expectRefused(
      () => assertCimdUrl("https://127.0.0.2/c.json", LOCAL),
      "client_id URL must use a DNS name, not an IP address",
    );
  });

  it("refuses loopback https hosts when local URLs are not allowed", () => {
    expectRefused(
      () => assertCimdUrl("https://localhost/c.json", PUBLIC),
      "client_id URL host must be a fully qualified domain name",
    );
    expectRefused(
      () => assertCimdUrl("https://127.0.0.1/c.json", PUBLIC),
      "client_id URL must use a DNS name, not an IP address",
    );
  });
});

describe("assertCimdUrl: no userinfo (draft §3)", () => {
  it.each([
    "https://user@client.example.com/c.json",
    "https://user:pass@client.example.com/c.json",
    "https://:pass@client.example.com/c.json",
  ])("refuses %s", (clientId) => {
    expectRefused(() => assertCimdUrl(clientId, PUBLIC), "client_id URL must not contain userinfo");
  });
});

describe("assertCimdUrl: no fragment (draft §3)", () => {
  it.each(["https://client.example.com/c.json#frag", "https://client.example.com/c.json#"])(
    "refuses %s",
    (clientId) => {
      expectRefused(
        () => assertCimdUrl(clientId, PUBLIC),
        "client_id URL must not contain a fragment",
      );
    },
  );
});

describe("assertCimdUrl: a path component other than / (draft §3)", () => {
  it.each([
    "https://client.example.com/",
    "https://client.example.com",
    "https://client.example.com/?a=b",
  ])("refuses %s", (clientId) => {
    expectRefused(
      () => assertCimdUrl(clientId, PUBLIC),
      'client_id URL must have a path other than "/"',
    );
  });
});

describe("assertCimdUrl: no . or .. path segments (draft §3)", () => {
  it.each([
    "https://client.example.com/a/../c.json",
    "https://client.example.com/./c.json",
    "https://client.example.com/a/..",
    "https://client.example.com/a/%2e%2e/c.json",
    "https://client.example.com/a/%2E/c.json",
    "https://client.example.com/a/.%2e/c.json",
  ])("refuses %s", (clientId) => {
    expectRefused(
      () => assertCimdUrl(clientId, PUBLIC),
      'client_id URL must not contain "." or ".." path segments',
    );
  });

  it("accepts dots inside a segment", () => {
    expect(assertCimdUrl("https://client.example.com/.well-known/a..b", PUBLIC).pathname).toBe(
      "/.well-known/a..b",
    );
  });
});

describe("assertCimdUrl: the client_id equals new URL(client_id).href exactly", () => {
  it.each([
    ["https://Client.Example.com/c.json", "https://client.example.com/c.json"],
    ["HTTPS://client.example.com/c.json", "https://client.example.com/c.json"],
    ["https://client.example.com:443/c.json", "https://client.example.com/c.json"],
    ["https://client.example.com/a b", "https://client.example.com/a%20b"],
    ["https://bücher.example.com/c.json", "https://xn--bcher-kva.example.com/c.json"],
    ["https://2130706433/c.json", "https://127.0.0.1/c.json"],
    ["https://0x7f.1/c.json", "https://127.0.0.1/c.json"],
    ["https://client.example.com\\c.json", "https://client.example.com/c.json"],
  ])("refuses %s", (clientId, href) => {
    expectRefused(
      () => assertCimdUrl(clientId, PUBLIC),
      `client_id URL must be in normalized form; it reads as ${JSON.stringify(href)}`,
    );
  });
});

describe("assertCimdUrl SSRF guard: no IP literals", () => {
  it.each([
    "https://127.0.0.1/c.json",
    "https://10.1.2.3/c.json",
    "https://169.254.169.254/latest/meta-data",
    "https://8.8.8.8/c.json",
    "https://[::1]/c.json",
    "https://[fd00::1]/c.json",
    "https://[::ffff:7f00:1]/c.json",
  ])("refuses %s", (clientId) => {
    expectRefused(
      () => assertCimdUrl(clientId, PUBLIC),
      "client_id URL must use a DNS name, not an IP address",
    );
  });
});

describe("assertCimdUrl SSRF guard: a fully qualified public DNS name", () => {
  it.each(["https://intranet/c.json", "https://metadata/c.json", "https://localhost/c.json"])(
    "refuses the single-label %s",
    (clientId) => {
      expectRefused(
        () => assertCimdUrl(clientId, PUBLIC),
        "client_id URL host must be a fully qualified domain name",
      );
    },
  );

  it("refuses a trailing dot (it would dodge the suffix checks)", () => {
    expectRefused(
      () => assertCimdUrl("https://app.localhost./c.json", PUBLIC),
      "client_id URL host must not end with a dot",
    );
  });

  it.each([
    "app.localhost",
    "printer.local",
    "metadata.google.internal",
    "wiki.intranet",
    "db.private",
    "hr.corp",
    "nas.home.arpa",
    "1.0.0.127.in-addr.arpa",
    "router.lan",
    "router.home",
    "box.localdomain",
    "client.test",
    "client.invalid",
    "client.example",
    "hidden.onion",
    "x.alt",
  ])("refuses the local or reserved name %s", (host) => {
    expectRefused(
      () => assertCimdUrl(`https://${host}/c.json`, PUBLIC),
      `client_id URL host ${JSON.stringify(host)} is a local or reserved name`,
    );
  });

  it.each(["client.example.com", "local.example.com", "test.example.net", "corp.example.org"])(
    "accepts the public name %s",
    (host) => {
      expect(assertCimdUrl(`https://${host}/c.json`, PUBLIC).hostname).toBe(host);
    },
  );
});

describe("assertCimdUrl SSRF guard: only the default port", () => {
  it.each(["https://client.example.com:8443/c.json", "https://client.example.com:80/c.json"])(
    "refuses %s",
    (clientId) => {
      expectRefused(() => assertCimdUrl(clientId, PUBLIC), "client_id URL must not name a port");
      expectRefused(() => assertCimdUrl(clientId, LOCAL), "client_id URL must not name a port");
    },
  );
});

describe("parseCimdDocument: a valid document", () => {
  it("maps a full document to camelCase with the scope ceiling", () => {
    expect(
      parseCimdDocument(
        doc({
          client_name: "Example MCP Client",
          client_uri: "https://client.example.com/",
          logo_uri: "https://client.example.com/logo.png",
          application_type: "native",
          redirect_uris: ["http://127.0.0.1/callback", "com.example.app:/callback"],
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          scope: "openid email",
          software_id: "ignored",
        }),
        URL_ID,
        POLICY,
      ),
    ).toStrictEqual({
      clientId: URL_ID,
      redirectUris: ["http://127.0.0.1/callback", "com.example.app:/callback"],
      clientName: "Example MCP Client",
      clientUri: "https://client.example.com/",
      logoUri: "https://client.example.com/logo.png",
      applicationType: "native",
      scope: "openid email mcp-api/write",
    });
  });

  it("needs only client_id and redirect_uris, with no undefined fields", () => {
    expect(parseCimdDocument(doc(), URL_ID, POLICY)).toStrictEqual({
      clientId: URL_ID,
      redirectUris: ["https://client.example.com/callback"],
      scope: "openid mcp-api/read mcp-api/write",
    });
  });
});

describe("parseCimdDocument: the body is a JSON object", () => {
  it.each([null, "text", 1, [doc()], undefined])("refuses %j", (body) => {
    expectRefused(
      () => parseCimdDocument(body, URL_ID, POLICY),
      "the client metadata document must be a JSON object",
    );
  });
});

describe("parseCimdDocument: client_id equals the document's URL (draft §4.1)", () => {
  it("refuses a missing or non-string client_id", () => {
    for (const clientId of [undefined, 1, [URL_ID]])
      expectRefused(
        () => parseCimdDocument(doc({ client_id: clientId }), URL_ID, POLICY),
        'the client metadata document must have a "client_id" string',
      );
  });

  it.each([
    "https://other.example.com/oauth/client.json",
    "https://client.example.com/oauth/client.json/",
    "https://CLIENT.example.com/oauth/client.json",
  ])("refuses %s", (clientId) => {
    expectRefused(
      () => parseCimdDocument(doc({ client_id: clientId }), URL_ID, POLICY),
      `client_id in the document (${JSON.stringify(clientId)}) does not equal its URL`,
    );
  });

  it("shortens a long client_id in the message", () => {
    const long = `https://client.example.com/${"x".repeat(200)}`;
    expectRefused(
      () => parseCimdDocument(doc({ client_id: long }), URL_ID, POLICY),
      `client_id in the document (${JSON.stringify(`${long.slice(0, 80)}...`)}) does not equal its URL`,
    );
  });
});

describe("parseCimdDocument: redirect_uris is required and checked like registration's", () => {
  it.each([
    [undefined, '"redirect_uris" must be a non-empty array of strings'],
    [[], '"redirect_uris" must be a non-empty array of strings'],
    ["https://client.example.com/cb", '"redirect_uris" must be a non-empty array of strings'],
    [
      ["https://a.example.com/cb", "https://a.example.com/cb"],
      '"redirect_uris" must not repeat an entry',
    ],
    [
      ["https://a.example.com/cb#x"],
      '"redirect_uris" entry "https://a.example.com/cb#x" must not contain a fragment',
    ],
    [
      ["http://a.example.com/cb"],
      '"redirect_uris" entry "http://a.example.com/cb": http is allowed only for localhost and loopback IPs',
    ],
    [
      ["javascript:alert(1)"],
      '"redirect_uris" entry "javascript:alert(1)" uses a forbidden scheme',
    ],
  ])("refuses %j", (redirectUris, message) => {
    expectRefused(
      () => parseCimdDocument(doc({ redirect_uris: redirectUris }), URL_ID, POLICY),
      message,
    );
  });

  it("uses application_type web to refuse private-use schemes", () => {
    const body = doc({ redirect_uris: ["com.example.app:/cb"], application_type: "web" });
    expectRefused(
      () => parseCimdDocument(body, URL_ID, POLICY),
      '"redirect_uris" entry "com.example.app:/cb": web clients must use https or loopback http',
    );
  });

  it("ignores an application_type other than web or native", () => {
    const body = doc({ redirect_uris: ["com.example.app:/cb"], application_type: "desktop" });
    const document = parseCimdDocument(body, URL_ID, POLICY);
    expect(document.redirectUris).toEqual(["com.example.app:/cb"]);
    expect(document).not.toHaveProperty("applicationType");
  });

  it("applies the policy's allow patterns", () => {
    const policy = {
      ...POLICY,
      redirectUriAllowPatterns: [compileRedirectPattern("https://*.example.com/callback")],
    };
    expect(parseCimdDocument(doc(), URL_ID, policy).redirectUris).toHaveLength(1);
    expectRefused(
      () => parseCimdDocument(doc({ redirect_uris: ["https://evil.test/cb"] }), URL_ID, policy),
      '"redirect_uris" entry "https://evil.test/cb" is not allowed by this server\'s policy',
    );
  });
});

describe("parseCimdDocument: only public clients (token_endpoint_auth_method none)", () => {
  it("accepts none or an absent method", () => {
    expect(
      parseCimdDocument(doc({ token_endpoint_auth_method: "none" }), URL_ID, POLICY),
    ).toBeTruthy();
    expect(
      parseCimdDocument(doc({ token_endpoint_auth_method: null }), URL_ID, POLICY),
    ).toBeTruthy();
  });

  it.each(["client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", 1])(
    "refuses %j",
    (method) => {
      expectRefused(
        () => parseCimdDocument(doc({ token_endpoint_auth_method: method }), URL_ID, POLICY),
        '"token_endpoint_auth_method" must be "none": this server accepts only public CIMD ' +
          "clients (a client secret cannot be published in a document, and private_key_jwt is " +
          "not supported)",
      );
    },
  );
});

describe("parseCimdDocument: grant_types are authorization_code and refresh_token", () => {
  it("accepts either form", () => {
    for (const grantTypes of [["authorization_code"], ["authorization_code", "refresh_token"]])
      expect(parseCimdDocument(doc({ grant_types: grantTypes }), URL_ID, POLICY)).toBeTruthy();
  });

  it.each([
    [
      ["client_credentials"],
      '"grant_types" must contain only authorization_code and refresh_token',
    ],
    [
      ["authorization_code", "implicit"],
      '"grant_types" must contain only authorization_code and refresh_token',
    ],
    [
      ["urn:ietf:params:oauth:grant-type:device_code"],
      '"grant_types" must contain only authorization_code and refresh_token',
    ],
    [["refresh_token"], '"grant_types" must include authorization_code'],
    [[], '"grant_types" must include authorization_code'],
    ["authorization_code", '"grant_types" must be an array of strings'],
    [[1], '"grant_types" must be an array of strings'],
  ])("refuses %j", (grantTypes, message) => {
    expectRefused(
      () => parseCimdDocument(doc({ grant_types: grantTypes }), URL_ID, POLICY),
      message,
    );
  });
});

describe('parseCimdDocument: response_types is only "code"', () => {
  it("accepts [code]", () => {
    expect(parseCimdDocument(doc({ response_types: ["code"] }), URL_ID, POLICY)).toBeTruthy();
  });

  it.each([
    [["token"], '"response_types" must contain only "code"'],
    [["code", "id_token"], '"response_types" must contain only "code"'],
    [[], '"response_types" must contain only "code"'],
    ["code", '"response_types" must be an array of strings'],
  ])("refuses %j", (responseTypes, message) => {
    expectRefused(
      () => parseCimdDocument(doc({ response_types: responseTypes }), URL_ID, POLICY),
      message,
    );
  });
});

describe("parseCimdDocument: client_name is 1-200 characters without control characters", () => {
  it("accepts 200 characters and Unicode", () => {
    expect(
      parseCimdDocument(doc({ client_name: "é".repeat(200) }), URL_ID, POLICY).clientName,
    ).toBe("é".repeat(200));
  });

  it.each(["", "x".repeat(201), 1, ["name"]])("refuses %j", (name) => {
    expectRefused(
      () => parseCimdDocument(doc({ client_name: name }), URL_ID, POLICY),
      '"client_name" must be a string of 1-200 characters',
    );
  });

  it.each(["a\nb", "a\u0000b", "a\u007fb", "a\u0085b", "Good\u202eevil", "a\u2028b"])(
    "refuses %j",
    (name) => {
      expectRefused(
        () => parseCimdDocument(doc({ client_name: name }), URL_ID, POLICY),
        '"client_name" must not contain control characters',
      );
    },
  );
});

describe("parseCimdDocument: client_uri and logo_uri are https URLs", () => {
  it.each(["client_uri", "logo_uri"])("refuses a bad %s", (field) => {
    for (const value of [
      "http://client.example.com/",
      "javascript:alert(1)",
      "data:image/png;base64,AAAA",
      "/relative",
      "https://user@client.example.com/",
      `https://client.example.com/${"x".repeat(2048)}`,
      1,
    ])
      expectRefused(
        () => parseCimdDocument(doc({ [field]: value }), URL_ID, POLICY),
        `"${field}" must be an absolute https URL without userinfo`,
      );
  });
});

describe("parseCimdDocument: scope is filtered by the policy, then the step-up scopes added", () => {
  it.each([
    [undefined, "openid mcp-api/read mcp-api/write"],
    [null, "openid mcp-api/read mcp-api/write"],
    ["", "openid mcp-api/read mcp-api/write"],
    ["offline_access", "openid mcp-api/read mcp-api/write"],
    ["unknown other:scope", "openid mcp-api/read mcp-api/write"],
    ["openid offline_access unknown email", "openid email mcp-api/write"],
    ["mcp-api/write  openid  openid", "mcp-api/write openid"],
    ["email mcp-api/read", "email mcp-api/read mcp-api/write"],
  ])("%j → %j", (scope, expected) => {
    expect(parseCimdDocument(doc({ scope }), URL_ID, POLICY).scope).toBe(expected);
  });

  it("adds nothing when the policy has no step-up scopes", () => {
    const policy = { ...POLICY, stepUpScopes: [] };
    expect(parseCimdDocument(doc({ scope: "email" }), URL_ID, policy).scope).toBe("email");
  });

  it('refuses a non-string "scope"', () => {
    expectRefused(
      () => parseCimdDocument(doc({ scope: ["openid"] }), URL_ID, POLICY),
      '"scope" must be a space-separated string',
    );
  });
});
