import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  createClient,
  createPublicClient,
  DEMO,
  decodeJwt,
  ISSUER,
  idp,
  LOGIN_ORIGIN,
  POOL_ID,
  STATIC_CLIENT,
  setLocalSettings,
  signIn,
  tokenRequest,
} from "./support";

async function redeem(
  flow: Awaited<ReturnType<typeof signIn>>,
  auth?: Parameters<typeof tokenRequest>[1],
) {
  return tokenRequest(
    {
      grant_type: "authorization_code",
      code: flow.code,
      redirect_uri: flow.redirectUri,
      code_verifier: flow.verifier,
    },
    auth,
  );
}

describe("token endpoint: authorization_code with PKCE", () => {
  it("returns Cognito's token response, never cached", async () => {
    const flow = await signIn({ scope: "openid email mcp-api/read" });
    const { response, body } = await redeem(flow);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    expect(Object.keys(body).sort()).toEqual([
      "access_token",
      "expires_in",
      "id_token",
      "refresh_token",
      "token_type",
    ]);
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(3600);
  });

  it("puts Cognito's claims in the access token, and aud only with a resource", async () => {
    const flow = await signIn({ scope: "openid mcp-api/read mcp-api/write" });
    const { body } = await redeem(flow);
    const { header, payload } = decodeJwt(String(body.access_token));
    expect(Object.keys(header).sort()).toEqual(["alg", "kid"]);
    expect(Object.keys(payload).sort()).toEqual(
      [
        "auth_time",
        "client_id",
        "event_id",
        "exp",
        "iat",
        "iss",
        "jti",
        "origin_jti",
        "scope",
        "sub",
        "token_use",
        "username",
        "version",
      ].sort(),
    );
    expect(payload).toMatchObject({
      iss: ISSUER,
      client_id: STATIC_CLIENT.id,
      token_use: "access",
      scope: "openid mcp-api/read mcp-api/write",
      username: DEMO.username,
      version: 2,
    });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);

    const bound = await redeem(
      await signIn({ scope: "mcp-api/read", resource: "http://localhost:3001/mcp" }),
    );
    expect(decodeJwt(String(bound.body.access_token)).payload.aud).toBe(
      "http://localhost:3001/mcp",
    );
  });

  it("puts Cognito's claims in the ID token, with the nonce and aud = client id", async () => {
    const { body } = await redeem(await signIn({ scope: "openid email", nonce: "n-0S6_WzA2Mj" }));
    const access = decodeJwt(String(body.access_token)).payload;
    const { payload } = decodeJwt(String(body.id_token));
    expect(payload).toMatchObject({
      aud: STATIC_CLIENT.id,
      iss: ISSUER,
      token_use: "id",
      "cognito:username": DEMO.username,
      email: "demo@example.com",
      email_verified: true,
      nonce: "n-0S6_WzA2Mj",
      sub: access.sub,
      origin_jti: access.origin_jti,
      event_id: access.event_id,
      auth_time: access.auth_time,
    });
    expect(payload).toHaveProperty("at_hash");
  });

  it("issues no ID token without openid", async () => {
    const { body } = await redeem(await signIn({ scope: "mcp-api/read" }));
    expect(body).not.toHaveProperty("id_token");
    expect(body).toHaveProperty("refresh_token");
  });

  it("accepts client_secret_post as well as client_secret_basic", async () => {
    const flow = await signIn();
    const { response } = await tokenRequest(
      {
        grant_type: "authorization_code",
        code: flow.code,
        redirect_uri: flow.redirectUri,
        code_verifier: flow.verifier,
        client_id: STATIC_CLIENT.id,
        client_secret: STATIC_CLIENT.secret,
      },
      "none",
    );
    expect(response.status).toBe(200);
  });

  it("lets a public client redeem with client_id only", async () => {
    const client = await createPublicClient();
    const flow = await signIn({
      clientId: client.ClientId,
      redirectUri: "http://127.0.0.1:7777/cb",
    });
    const { response, body } = await tokenRequest(
      {
        grant_type: "authorization_code",
        code: flow.code,
        redirect_uri: flow.redirectUri,
        code_verifier: flow.verifier,
        client_id: client.ClientId,
      },
      "none",
    );
    expect(response.status).toBe(200);
    expect(decodeJwt(String(body.access_token)).payload.client_id).toBe(client.ClientId);
  });
});

describe("token endpoint: codes are single-use, bound and short-lived", () => {
  it("refuses a replayed code", async () => {
    const flow = await signIn();
    expect((await redeem(flow)).response.status).toBe(200);
    const replay = await redeem(flow);
    expect(replay.response.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
  });

  it("gives tokens to exactly one of two concurrent redemptions", async () => {
    const flow = await signIn();
    const results = await Promise.all([redeem(flow), redeem(flow), redeem(flow)]);
    expect(results.map((r) => r.response.status).sort()).toEqual([200, 400, 400]);
  });

  it("refuses a code after 5 minutes", async () => {
    const flow = await signIn();
    await setLocalSettings({ clockOffsetMs: 5 * 60 * 1000 + 1000 });
    try {
      const { response, body } = await redeem(flow);
      expect(response.status).toBe(400);
      expect(body.error).toBe("invalid_grant");
    } finally {
      await setLocalSettings({ clockOffsetMs: 0 });
    }
  });

  it.each([
    ["a wrong verifier", { code_verifier: "x".repeat(43) }],
    ["no verifier", { code_verifier: undefined }],
    ["another redirect_uri", { redirect_uri: "http://localhost:3000/other" }],
    ["no redirect_uri", { redirect_uri: undefined }],
  ])("refuses %s with invalid_grant", async (_, change) => {
    const flow = await signIn();
    const fields: Record<string, string> = {
      grant_type: "authorization_code",
      code: flow.code,
      redirect_uri: flow.redirectUri,
      code_verifier: flow.verifier,
    };
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete fields[key];
      else fields[key] = value;
    }
    const { response, body } = await tokenRequest(fields);
    expect(response.status).toBe(400);
    expect(body.error).toBe("invalid_grant");
  });

  it("refuses a code issued to another client", async () => {
    const other = await createClient({
      GenerateSecret: true,
      CallbackURLs: ["http://localhost:3000/callback"],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid"],
    });
    const flow = await signIn();
    const { body } = await redeem(flow, { basic: [other.ClientId, String(other.ClientSecret)] });
    expect(body.error).toBe("invalid_grant");
  });
});

describe("token endpoint: client authentication and request errors", () => {
  it.each([
    [
      "a wrong secret",
      { basic: [STATIC_CLIENT.id, "wrong"] as [string, string] },
      "invalid_client",
    ],
    [
      "an unknown client",
      { basic: ["nosuchclient0000000000000a", "x"] as [string, string] },
      "invalid_client",
    ],
    ["no secret for a confidential client", "none" as const, "invalid_request"],
  ])("refuses %s", async (_, auth, error) => {
    const flow = await signIn();
    const { response, body } = await redeem(flow, auth);
    expect(response.status).toBe(400);
    expect(body.error).toBe(error);
  });

  it("refuses a confidential client that sends client_id without its secret", async () => {
    const flow = await signIn();
    const { body } = await tokenRequest(
      {
        grant_type: "authorization_code",
        code: flow.code,
        redirect_uri: flow.redirectUri,
        code_verifier: flow.verifier,
        client_id: STATIC_CLIENT.id,
      },
      "none",
    );
    expect(body.error).toBe("invalid_client");
  });

  it("refuses two authentication methods at once", async () => {
    const { body } = await tokenRequest({
      grant_type: "client_credentials",
      client_secret: STATIC_CLIENT.secret,
    });
    expect(body.error).toBe("invalid_request");
  });

  it("refuses a JSON body, a missing or an unknown grant_type", async () => {
    const json = await SELF.fetch(`${LOGIN_ORIGIN}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${btoa(`${STATIC_CLIENT.id}:${STATIC_CLIENT.secret}`)}`,
      },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: "invalid_request" });
    expect((await tokenRequest({})).body.error).toBe("invalid_request");
    expect((await tokenRequest({ grant_type: "password" })).body.error).toBe(
      "unsupported_grant_type",
    );
  });
});

describe("token endpoint: refresh_token", () => {
  it("returns new access and ID tokens of the same sign-in, keeping aud, without a new refresh token", async () => {
    const first = await redeem(
      await signIn({ scope: "openid mcp-api/read", resource: "http://localhost:3001/mcp" }),
    );
    const { response, body } = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: String(first.body.refresh_token),
    });
    expect(response.status).toBe(200);
    expect(body).not.toHaveProperty("refresh_token");
    const before = decodeJwt(String(first.body.access_token)).payload;
    const after = decodeJwt(String(body.access_token)).payload;
    expect(after.aud).toBe("http://localhost:3001/mcp");
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.jti).not.toBe(before.jti);
    expect(body).toHaveProperty("id_token");
  });

  it("refuses an unknown refresh token and one of another client", async () => {
    const first = await redeem(await signIn());
    expect(
      (await tokenRequest({ grant_type: "refresh_token", refresh_token: "nope" })).body.error,
    ).toBe("invalid_grant");
    const client = await createPublicClient();
    const other = await tokenRequest(
      {
        grant_type: "refresh_token",
        refresh_token: String(first.body.refresh_token),
        client_id: client.ClientId,
      },
      "none",
    );
    expect(other.body.error).toBe("invalid_grant");
  });

  it("rotates the refresh token when the client enables rotation", async () => {
    const client = await createClient({
      CallbackURLs: ["http://127.0.0.1:7777/cb"],
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid"],
      RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 0 },
    });
    const flow = await signIn({
      clientId: client.ClientId,
      redirectUri: "http://127.0.0.1:7777/cb",
    });
    const first = await tokenRequest(
      {
        grant_type: "authorization_code",
        code: flow.code,
        redirect_uri: flow.redirectUri,
        code_verifier: flow.verifier,
        client_id: client.ClientId,
      },
      "none",
    );
    const refresh = (token: unknown) =>
      tokenRequest(
        { grant_type: "refresh_token", refresh_token: String(token), client_id: client.ClientId },
        "none",
      );
    const second = await refresh(first.body.refresh_token);
    expect(second.body.refresh_token).toBeTruthy();
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect((await refresh(first.body.refresh_token)).body.error).toBe("invalid_grant");
    expect((await refresh(second.body.refresh_token)).response.status).toBe(200);
  });
});

describe("token endpoint: client_credentials", () => {
  it("issues an access token for the client's custom scopes only", async () => {
    const m2m = await createClient({
      GenerateSecret: true,
      AllowedOAuthFlows: ["client_credentials"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["mcp-api/read"],
    });
    const auth = { basic: [m2m.ClientId, String(m2m.ClientSecret)] as [string, string] };
    const { response, body } = await tokenRequest({ grant_type: "client_credentials" }, auth);
    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "token_type"]);
    const { payload } = decodeJwt(String(body.access_token));
    expect(payload).toMatchObject({
      sub: m2m.ClientId,
      client_id: m2m.ClientId,
      scope: "mcp-api/read",
      token_use: "access",
    });
    expect(payload).not.toHaveProperty("username");
    expect(
      (await tokenRequest({ grant_type: "client_credentials", scope: "mcp-api/write" }, auth)).body
        .error,
    ).toBe("invalid_scope");
  });

  it("refuses a client that is not allowed the grant", async () => {
    const { body } = await tokenRequest({ grant_type: "client_credentials" });
    expect(body.error).toBe("unauthorized_client");
  });
});

describe("userInfo and revocation", () => {
  async function userInfo(token: string) {
    return SELF.fetch(`${LOGIN_ORIGIN}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  it("returns the user's attributes for an access token with openid", async () => {
    const { body } = await redeem(await signIn({ scope: "openid email" }));
    const res = await userInfo(String(body.access_token));
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      username: DEMO.username,
      email: "demo@example.com",
      email_verified: "true",
    });
    expect(info.sub).toBe(decodeJwt(String(body.access_token)).payload.sub);
  });

  it("refuses a token without openid, an ID token, garbage and no token", async () => {
    const noOpenId = await redeem(await signIn({ scope: "mcp-api/read" }));
    const withId = await redeem(await signIn({ scope: "openid" }));
    for (const token of [
      String(noOpenId.body.access_token),
      String(withId.body.id_token),
      "garbage",
    ]) {
      const res = await userInfo(token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
    }
    expect((await SELF.fetch(`${LOGIN_ORIGIN}/oauth2/userInfo`)).status).toBe(401);
  });

  it("revokes a refresh token and the access tokens of its sign-in", async () => {
    const { body } = await redeem(await signIn({ scope: "openid" }));
    const revoke = await SELF.fetch(`${LOGIN_ORIGIN}/oauth2/revoke`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${STATIC_CLIENT.id}:${STATIC_CLIENT.secret}`)}`,
      },
      body: new URLSearchParams({ token: String(body.refresh_token) }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.text()).toBe("");
    const refreshed = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: String(body.refresh_token),
    });
    expect(refreshed.body.error).toBe("invalid_grant");
    expect((await userInfo(String(body.access_token))).status).toBe(401);
  });

  it("answers 200 for an unknown token and refuses a bad client", async () => {
    const post = (auth: string) =>
      SELF.fetch(`${LOGIN_ORIGIN}/oauth2/revoke`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth },
        body: "token=unknown",
      });
    expect(
      (await post(`Basic ${btoa(`${STATIC_CLIENT.id}:${STATIC_CLIENT.secret}`)}`)).status,
    ).toBe(200);
    const bad = await post(`Basic ${btoa(`${STATIC_CLIENT.id}:wrong`)}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("users made through the IdP API can sign in", () => {
  it("AdminCreateUser + AdminSetUserPassword(Permanent) → sign-in → tokens with the user's sub", async () => {
    const username = `user-${crypto.randomUUID().slice(0, 8)}`;
    const created = await idp<{ User: { Attributes: { Name: string; Value: string }[] } }>(
      "AdminCreateUser",
      {
        UserPoolId: POOL_ID,
        Username: username,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
      },
    );
    expect(created.status).toBe(200);
    const sub = created.body.User.Attributes.find((a) => a.Name === "sub")?.Value;
    await idp("AdminSetUserPassword", {
      UserPoolId: POOL_ID,
      Username: username,
      Password: "An0ther-Passw0rd!",
      Permanent: true,
    });
    const { body } = await redeem(await signIn({ username, password: "An0ther-Passw0rd!" }));
    expect(decodeJwt(String(body.access_token)).payload).toMatchObject({ sub, username });
    await idp("AdminDeleteUser", { UserPoolId: POOL_ID, Username: username });
    await expect(signIn({ username, password: "An0ther-Passw0rd!" })).rejects.toThrow(
      /the sign-in stopped at .*\/login\S*: 400/,
    );
  });

  it("refuses the refresh token of a deleted user to a new user of the same name", async () => {
    const username = `again-${crypto.randomUUID().slice(0, 8)}`;
    const make = async () => {
      await idp("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: username,
        MessageAction: "SUPPRESS",
      });
      await idp("AdminSetUserPassword", {
        UserPoolId: POOL_ID,
        Username: username,
        Password: "An0ther-Passw0rd!",
        Permanent: true,
      });
    };
    await make();
    const { body } = await redeem(await signIn({ username, password: "An0ther-Passw0rd!" }));
    await idp("AdminDeleteUser", { UserPoolId: POOL_ID, Username: username });
    await make();
    const refreshed = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: String(body.refresh_token),
    });
    expect(refreshed.response.status).toBe(400);
    expect(refreshed.body.error).toBe("invalid_grant");
  });
});
