import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWorkerVars } from "@mcp-cognito-workers/test-support/stack";
import { CHROMIUM_PATH, hasChromium, requireTool } from "@mcp-cognito-workers/test-support/tools";
import {
  type Browser,
  chromium,
  type Page,
  type Response as PlaywrightResponse,
} from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import { startBrowserProxy } from "./proxy";
import { startStack, workerConfig } from "./stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

const haveBrowser = requireTool("Chromium", hasChromium, "apt-get install chromium");

/**
 * The static client is registered with `http://localhost:3000/callback`, so the browser talks to
 * the client as http://localhost:3000 through a proxy that forwards to the client's real loopback
 * port (the browser keeps the cookies, as with `npm run dev`).
 */
const CLIENT_ORIGIN = "http://localhost:3000";
/** The client's name: the pages' title, and the `client_name` it registers with at the facade. */
const APP_NAME = readWorkerVars(wrangler, "client").APP_NAME as string;

/** What a sign-in went through before it came back to the client. */
interface SignInSteps {
  consentShown: boolean;
  loginShown: boolean;
}

describe.skipIf(!haveBrowser)("a person signs in with the web client (Chromium)", () => {
  let browser: Browser;
  const stopAll: (() => Promise<void>)[] = [];
  let proxy: Awaited<ReturnType<typeof startBrowserProxy>>;
  /** The local state folder dcr keeps its KV namespace in. */
  let dcrState: string;
  /** The stand-in's managed-login domain (its IdP host is another origin). */
  let cognitoLoginOrigin: string;
  let dcrOrigin: string;
  /** Chromium's reports of a page refusing something under its CSP (e.g. a form-action redirect). */
  let cspViolations: string[];

  beforeAll(async () => {
    const stack = await startStack({ withClient: true });
    stopAll.push(stack.dispose);
    dcrState = stack.state;
    cognitoLoginOrigin = stack.cognito.loginOrigin;
    dcrOrigin = stack.dcr.origin;
    const client = stack.client as NonNullable<typeof stack.client>;
    proxy = await startBrowserProxy({ aliases: { [CLIENT_ORIGIN]: client.origin } });
    stopAll.push(proxy.dispose);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      proxy: { server: proxy.server, bypass: "<-loopback>" },
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.allSettled(stopAll.map((stop) => stop()));
  });

  beforeEach(() => {
    cspViolations = [];
  });

  afterEach(() => {
    // A form-action that lacks an origin of the sign-in shows here (and the sign-in stalls).
    expect(cspViolations).toEqual([]);
  });

  /** A new browser context (no cookies at the client, the facade or the stand-in) and its page. */
  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ colorScheme: "light" });
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
    });
    return page;
  }

  /**
   * Goes on with the sign-in the page was sent to, as a person does: on the facade's consent page
   * (shown the first time in a browser context, and when more scopes are asked) it clicks
   * `decision`; on the stand-in's login form it signs in as the demo user; it stops anywhere
   * else (back at the client). Each page shows at most once.
   */
  async function followSignIn(
    page: Page,
    decision: "Approve" | "Deny" = "Approve",
  ): Promise<SignInSteps> {
    const steps: SignInSteps = { consentShown: false, loginShown: false };
    for (;;) {
      await page.waitForLoadState();
      const url = new URL(page.url());
      if (url.origin === dcrOrigin && url.pathname === "/authorize" && !steps.consentShown) {
        steps.consentShown = true;
        await page.getByRole("button", { name: decision }).click();
      } else if (url.origin === cognitoLoginOrigin && !steps.loginShown) {
        steps.loginShown = true;
        await page.getByLabel("Username").fill(standInVars.DEMO_USERNAME ?? "");
        await page.getByLabel("Password").fill(standInVars.DEMO_PASSWORD ?? "");
        await page.getByRole("button", { name: "Sign in" }).click();
      } else {
        return steps;
      }
    }
  }

  /** Signs in with `flow` from the start page (approving on the consent page) and returns the steps. */
  async function signIn(page: Page, flow: "static" | "discovery"): Promise<SignInSteps> {
    await page.goto(`${CLIENT_ORIGIN}/`);
    await page.getByRole("button", { name: `Sign in (${flow} flow)` }).click();
    const steps = await followSignIn(page);
    await page.waitForURL(`${CLIENT_ORIGIN}/`);
    return steps;
  }

  const traceOf = async (page: Page) => (await page.locator("details").textContent()) ?? "";

  it("static flow: sign in, MCP and REST data, refresh, log out", async () => {
    const page = await newPage();
    // A first-party client of Cognito: its login, no consent step.
    await expect(signIn(page, "static")).resolves.toEqual({
      consentShown: false,
      loginShown: true,
    });
    await expect(page.getByText("Signed in as demo").count()).resolves.toBe(1);

    await page.getByRole("button", { name: "Who am I (MCP)" }).first().click();
    await expect(page.locator("pre").textContent()).resolves.toContain('"username": "demo"');
    // The SDK 2.x client found that mcp-rs offers 2026-07-28 and used it (no initialize).
    await expect(
      page.getByRole("heading", { name: "Result of whoami (static, MCP 2026-07-28)" }).count(),
    ).resolves.toBe(1);

    await page.getByRole("button", { name: "List tools (MCP)" }).first().click();
    await expect(page.locator("pre").textContent()).resolves.toContain("create_context");

    await page.getByLabel("Title").first().fill("From the browser");
    await page.getByRole("button", { name: "Create context" }).first().click();
    await page.getByRole("button", { name: "List contexts (REST)" }).first().click();
    await expect(page.locator("pre").textContent()).resolves.toContain("From the browser");

    await page.getByRole("button", { name: "Refresh tokens" }).first().click();
    await expect(page.getByRole("status").textContent()).resolves.toContain("Tokens refreshed");
    await page.getByRole("button", { name: "List contexts (MCP)" }).first().click();
    await expect(page.locator("pre").textContent()).resolves.toContain("From the browser");

    const html = await page.content();
    expect(html).not.toMatch(/eyJ[\w-]+\.eyJ/);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${CLIENT_ORIGIN}/`);
    await expect(page.getByText("Signed in as").count()).resolves.toBe(0);
    await page.close();
  });

  it("discovery flow: 401 → PRM → metadata → DCR → consent → sign in, iss checked, step-up to write", async () => {
    const page = await newPage();
    // The facade's authorization endpoint: its consent page, then Cognito's login.
    await expect(signIn(page, "discovery")).resolves.toEqual({
      consentShown: true,
      loginShown: true,
    });
    const trace = await traceOf(page);
    for (const step of [
      "MCP request without a token",
      "protected-resource metadata",
      "authorization-server metadata",
      "dynamic client registration",
      `iss checked: ${dcrOrigin}`,
      `token request: ${dcrOrigin}/token → 200`,
    ]) {
      expect(trace).toContain(step);
    }
    expect(trace).not.toMatch(/client_secret"|eyJ/);

    await page.getByRole("button", { name: "Who am I (MCP)" }).last().click();
    const me = (await page.locator("pre").textContent()) ?? "";
    expect(me).toContain('"username": "demo"');
    expect(me).not.toContain("mcp-api/write");
    await expect(
      page.getByRole("heading", { name: "Result of whoami (discovery, MCP 2026-07-28)" }).count(),
    ).resolves.toBe(1);

    // Needs write: 403 insufficient_scope → re-authorize with read + write (the facade asks the
    // person about write, the stand-in remembers them, so no login form) → back here, where the
    // action ran once, replayed.
    await page.getByLabel("Title").last().fill("Stepped up");
    await page.getByRole("button", { name: "Create context" }).last().click();
    await expect(followSignIn(page)).resolves.toEqual({ consentShown: true, loginShown: false });
    await page.waitForURL(`${CLIENT_ORIGIN}/`);
    await expect(
      page.getByRole("heading", { name: "Result of create_context" }).count(),
    ).resolves.toBe(1);
    await expect(page.locator("pre").textContent()).resolves.toContain("Stepped up");
    await page.getByRole("button", { name: "List contexts (REST)" }).last().click();
    const listed = (await page.locator("pre").textContent()) ?? "";
    expect(listed.match(/Stepped up/g)).toHaveLength(1);
    // Shown once: reloading the start page does not show (or run) it again.
    await page.goto(`${CLIENT_ORIGIN}/`);
    await expect(
      page.getByRole("heading", { name: "Result of create_context" }).count(),
    ).resolves.toBe(0);
    await page.close();
  });

  it("a second discovery sign-in in the same browser is not asked to approve again", async () => {
    const page = await newPage();
    await expect(signIn(page, "discovery")).resolves.toEqual({
      consentShown: true,
      loginShown: true,
    });
    // Sign out here and at Cognito (its /logout on the managed-login origin, then back).
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${CLIENT_ORIGIN}/`);
    await expect(page.getByText("Signed in").count()).resolves.toBe(0);
    // The facade remembers the approval (its cookie in this browser): straight to the login.
    await expect(signIn(page, "discovery")).resolves.toEqual({
      consentShown: false,
      loginShown: true,
    });
    expect(await traceOf(page)).toContain(`iss checked: ${dcrOrigin}`);
    await page.getByRole("button", { name: "Who am I (MCP)" }).last().click();
    await expect(page.locator("pre").textContent()).resolves.toContain('"username": "demo"');
    await page.close();
  });

  it("a denied consent ends on the client's page that says so", async () => {
    const page = await newPage();
    const callbacks: PlaywrightResponse[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(`${CLIENT_ORIGIN}/callback?`)) callbacks.push(response);
    });
    await page.goto(`${CLIENT_ORIGIN}/`);
    await page.getByRole("button", { name: "Sign in (discovery flow)" }).click();
    await expect(followSignIn(page, "Deny")).resolves.toEqual({
      consentShown: true,
      loginShown: false,
    });
    // The facade sent the person back with access_denied and its iss; the client checked both.
    expect(callbacks).toHaveLength(1);
    const denied = callbacks[0] as PlaywrightResponse;
    expect(denied.status()).toBe(403);
    const params = new URL(denied.url()).searchParams;
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("iss")).toBe(dcrOrigin);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
      "You denied access",
    );
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      `You denied access, so ${APP_NAME} did not sign you in (discovery flow)`,
    );
    await page.getByRole("link", { name: "Back to the start page" }).click();
    await expect(
      page.getByRole("button", { name: "Sign in (discovery flow)" }).count(),
    ).resolves.toBe(1);
    await page.close();
  });

  it("the facade's consent page: who asks, where the answer goes, what for; not frameable", async () => {
    const page = await newPage();
    await page.goto(`${CLIENT_ORIGIN}/`);
    const responses: PlaywrightResponse[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(dcrOrigin)) responses.push(response);
    });
    await page.getByRole("button", { name: "Sign in (discovery flow)" }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).origin + new URL(page.url()).pathname).toBe(
      `${dcrOrigin}/authorize`,
    );
    const consent = responses.find((response) => response.url() === page.url());
    expect(consent?.status()).toBe(200);
    const headers = consent?.headers() ?? {};
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");

    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
      `${APP_NAME} wants to use your account`,
    );
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain(`Sends the answer to${new URL(CLIENT_ORIGIN).host}`);
    expect(text).toContain("Read your saved contexts (mcp-api)");
    await expect(page.getByRole("button", { name: "Approve" }).count()).resolves.toBe(1);
    await expect(page.getByRole("button", { name: "Deny" }).count()).resolves.toBe(1);

    // Styled by its own stylesheet (the CSP allows 'self' styles only).
    const stylesheet = responses.find((response) =>
      response.url().startsWith(`${dcrOrigin}/front-door.css`),
    );
    expect(stylesheet?.status()).toBe(200);
    await expect(
      page
        .getByRole("button", { name: "Approve" })
        .evaluate((button) => getComputedStyle(button).backgroundColor),
    ).resolves.toBe("rgb(11, 99, 206)");
    await expect(
      page.locator("main").evaluate((main) => getComputedStyle(main).maxWidth),
    ).resolves.toBe("512px");

    const path = join(process.env.SCREENSHOT_DIR ?? tmpdir(), "consent-page.png");
    await page.screenshot({ path, fullPage: true });
    console.log(`consent page screenshot: ${path}`);
    await page.close();
  });

  it("a registration the authorization server no longer knows is replaced by a new one", async () => {
    // The discovery flow registered with dcr (the test above, or here if run alone).
    const signInDiscovery = async () => {
      const page = await newPage();
      await signIn(page, "discovery");
      return { page, trace: await traceOf(page) };
    };
    const first = await signInDiscovery();
    await first.page.close();
    // An operator (or dcr's stale-client sweep) deletes the registration: its record in dcr's KV
    // namespace, read here through wrangler's local bindings over dcr's state folder.
    const { getPlatformProxy } = await import("wrangler");
    const proxy = await getPlatformProxy<{ REGISTRATIONS: RegistrationsKv }>({
      configPath: workerConfig("dcr"),
      // wrangler dev keeps its state under <folder>/v3; getPlatformProxy takes that root itself.
      persist: { path: join(dcrState, "v3") },
    });
    try {
      const { keys } = await proxy.env.REGISTRATIONS.list({ prefix: "client:" });
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) await proxy.env.REGISTRATIONS.delete(key.name);
    } finally {
      await proxy.dispose();
    }

    const again = await signInDiscovery();
    expect(again.trace).toContain("stored registration checked (RFC 7592)");
    expect(again.trace).toContain("stored registration unknown to the server: registering again");
    expect(again.trace).toContain("dynamic client registration");
    await again.page.getByRole("button", { name: "Who am I (MCP)" }).last().click();
    await expect(again.page.locator("pre").textContent()).resolves.toContain('"username": "demo"');
    await again.page.close();
  });

  it("a replayed callback, and a callback in a browser without the session, are refused", async () => {
    const page = await newPage();
    let callback = "";
    page.on("request", (request) => {
      if (request.url().startsWith(`${CLIENT_ORIGIN}/callback`)) callback = request.url();
    });
    await signIn(page, "static");
    expect(callback).toContain("code=");
    const replay = await page.goto(callback);
    expect(replay?.status()).toBe(400);
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "no sign-in in progress",
    );
    const other = await browser.newContext();
    const stranger = await other.newPage();
    const response = await stranger.goto(callback);
    expect(response?.status()).toBe(400);
    await other.close();
    await page.close();
  });

  it("a tampered state is refused", async () => {
    const page = await newPage();
    await page.goto(`${CLIENT_ORIGIN}/`);
    proxy.setRewrite((url) => {
      if (url.pathname === "/oauth2/authorize") url.searchParams.set("state", "tampered");
      return url;
    });
    await page.getByRole("button", { name: "Sign in (static flow)" }).click();
    proxy.setRewrite(undefined);
    await page.getByLabel("Username").fill(standInVars.DEMO_USERNAME ?? "");
    await page.getByLabel("Password").fill(standInVars.DEMO_PASSWORD ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${CLIENT_ORIGIN}/callback**`);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("did not check out");
    await page.close();
  });
});

/** The part of dcr's KV binding the test uses. */
interface RegistrationsKv {
  list(options: { prefix: string }): Promise<{ keys: { name: string }[] }>;
  delete(key: string): Promise<void>;
}
