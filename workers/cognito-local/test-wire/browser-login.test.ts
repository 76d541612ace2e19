import { createHash, randomBytes } from "node:crypto";
import { readWorkerVars, startCognitoLocal } from "@mcp-cognito-workers/test-support/stack";
import { CHROMIUM_PATH, hasChromium, requireTool } from "@mcp-cognito-workers/test-support/tools";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const haveBrowser = requireTool("Chromium", hasChromium, "apt-get install chromium");
const CALLBACK = "http://localhost:3000/callback";

describe.skipIf(!haveBrowser)(
  "a browser signs in through managed login with the static client",
  () => {
    let standIn: Awaited<ReturnType<typeof startCognitoLocal>>;
    let browser: Browser;

    beforeAll(async () => {
      standIn = await startCognitoLocal(wrangler);
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await standIn?.stop();
    });

    it("authorization code + PKCE → tokens shaped like Cognito's", {
      timeout: 60_000,
    }, async () => {
      const verifier = randomBytes(32).toString("base64url");
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const state = randomBytes(16).toString("base64url");
      const nonce = randomBytes(16).toString("base64url");
      // Where to sign in comes from discovery: the managed-login domain, not the issuer's host.
      const discovery = await fetch(`${standIn.issuer}/.well-known/openid-configuration`);
      const doc = (await discovery.json()) as Record<string, string>;
      expect(doc.issuer).toBe(standIn.issuer);
      const authorize = new URL(doc.authorization_endpoint ?? "");
      expect(authorize.origin).toBe(standIn.loginOrigin);
      expect(authorize.origin).not.toBe(new URL(standIn.issuer).origin);
      authorize.search = new URLSearchParams({
        response_type: "code",
        client_id: standInVars.STATIC_CLIENT_ID ?? "",
        redirect_uri: CALLBACK,
        scope: "openid email profile mcp-api/read",
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: "S256",
        resource: "http://localhost:3001/mcp",
      }).toString();

      const page = await browser.newPage();
      // The same request on the issuer's host, as code that derives the login domain sends it.
      const onIssuerHost = new URL(`${authorize.pathname}${authorize.search}`, standIn.origin);
      expect((await page.goto(onIssuerHost.href))?.status()).toBe(404);
      // Nothing listens on :3000 here: catch the redirect to the callback instead.
      let callback: URL | undefined;
      await page.route(`${CALLBACK}**`, async (route) => {
        callback = new URL(route.request().url());
        await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
      });
      await page.goto(authorize.toString());
      await expect(page.getByRole("heading", { name: "Sign in" }).isVisible()).resolves.toBe(true);
      await page.getByLabel("Username").fill(standInVars.DEMO_USERNAME ?? "");
      await page.getByLabel("Password").fill(standInVars.DEMO_PASSWORD ?? "");
      if (process.env.SCREENSHOT_DIR)
        await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/login.png` });
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${CALLBACK}**`);
      expect(callback?.searchParams.get("state")).toBe(state);
      const code = callback?.searchParams.get("code") ?? "";
      expect(code).not.toBe("");

      const credentials = Buffer.from(
        `${standInVars.STATIC_CLIENT_ID}:${standInVars.STATIC_CLIENT_SECRET}`,
      ).toString("base64");
      const res = await fetch(doc.token_endpoint ?? "", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${credentials}`,
        },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: CALLBACK,
          code_verifier: verifier,
        }),
      });
      expect(res.status).toBe(200);
      const tokens = (await res.json()) as Record<string, string>;
      const jwks = createRemoteJWKSet(new URL(doc.jwks_uri ?? ""));
      const issuer = standIn.issuer;
      const access = await jwtVerify(tokens.access_token ?? "", jwks, {
        issuer,
        audience: "http://localhost:3001/mcp",
      });
      expect(access.payload).toMatchObject({
        token_use: "access",
        client_id: standInVars.STATIC_CLIENT_ID,
        username: "demo",
      });
      const id = await jwtVerify(tokens.id_token ?? "", jwks, {
        issuer,
        audience: standInVars.STATIC_CLIENT_ID,
      });
      expect(id.payload).toMatchObject({ token_use: "id", nonce, "cognito:username": "demo" });
      expect(tokens.refresh_token).toBeTruthy();
    });
  },
);
