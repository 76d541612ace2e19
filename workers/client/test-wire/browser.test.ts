import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callIdp, standInVars } from "../../cognito-local/test-wire/stand-in";
import { CHROMIUM_PATH, hasChromium, requireTool } from "../../cognito-local/test-wire/tools";
import { startBrowserProxy } from "./proxy";
import { startStack } from "./stack";

const haveBrowser = requireTool("Chromium", hasChromium, "apt-get install chromium");

/**
 * The static client is registered with `http://localhost:3000/callback`, so the browser talks to
 * the client as http://localhost:3000 through a proxy that forwards to the client's real loopback
 * port (the browser keeps the cookies, as with `npm run dev`).
 */
const CLIENT_ORIGIN = "http://localhost:3000";

describe.skipIf(!haveBrowser)("a person signs in with the web client (Chromium)", () => {
  let browser: Browser;
  const stopAll: (() => Promise<void>)[] = [];
  let proxy: Awaited<ReturnType<typeof startBrowserProxy>>;
  let cognitoOrigin: string;

  beforeAll(async () => {
    const stack = await startStack({ withClient: true });
    stopAll.push(stack.dispose);
    cognitoOrigin = stack.cognito.origin;
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

  async function newPage(): Promise<Page> {
    return browser.newPage();
  }

  /**
   * Signs in with `flow` through the stand-in's form. Each page is a new browser context, with
   * no sign-in at the stand-in yet, so the form always shows.
   */
  async function signIn(page: Page, flow: "static" | "discovery") {
    await page.goto(`${CLIENT_ORIGIN}/`);
    await page.getByRole("button", { name: `Sign in (${flow} flow)` }).click();
    await page.getByLabel("Username").fill(standInVars.DEMO_USERNAME ?? "");
    await page.getByLabel("Password").fill(standInVars.DEMO_PASSWORD ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${CLIENT_ORIGIN}/`);
  }

  it("static flow: sign in, MCP and REST data, refresh, log out", async () => {
    const page = await newPage();
    await signIn(page, "static");
    await expect(page.getByText("Signed in as demo").count()).resolves.toBe(1);

    await page.getByRole("button", { name: "Who am I (MCP)" }).first().click();
    await expect(page.locator("pre").textContent()).resolves.toContain('"username": "demo"');

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

  it("discovery flow: 401 → PRM → metadata → DCR → sign in, trace, step-up to write", async () => {
    const page = await newPage();
    await signIn(page, "discovery");
    const trace = (await page.locator("details").textContent()) ?? "";
    for (const step of [
      "MCP request without a token",
      "protected-resource metadata",
      "authorization-server metadata",
      "dynamic client registration",
    ]) {
      expect(trace).toContain(step);
    }
    expect(trace).not.toMatch(/client_secret"|eyJ/);

    await page.getByRole("button", { name: "Who am I (MCP)" }).last().click();
    const me = (await page.locator("pre").textContent()) ?? "";
    expect(me).toContain('"username": "demo"');
    expect(me).not.toContain("mcp-api/write");

    // Needs write: 403 insufficient_scope → re-authorize with read + write (the stand-in
    // remembers the person, so no form) → back here, where the action ran once, replayed.
    await page.getByLabel("Title").last().fill("Stepped up");
    await page.getByRole("button", { name: "Create context" }).last().click();
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

  it("a registration the authorization server no longer knows is replaced by a new one", async () => {
    // The discovery flow registered with dcr (the test above, or here if run alone).
    const signInDiscovery = async () => {
      const page = await newPage();
      await signIn(page, "discovery");
      return { page, trace: (await page.locator("details").textContent()) ?? "" };
    };
    const first = await signInDiscovery();
    await first.page.close();
    // An operator (or dcr's stale-client sweep) deletes the app client in Cognito.
    const listed = await callIdp(cognitoOrigin, "ListUserPoolClients", { MaxResults: 60 });
    const registered = (
      listed.body.UserPoolClients as { ClientId: string; ClientName: string }[]
    ).filter((client) => client.ClientName.startsWith("dcr-"));
    expect(registered.length).toBeGreaterThan(0);
    for (const client of registered) {
      const deleted = await callIdp(cognitoOrigin, "DeleteUserPoolClient", {
        ClientId: client.ClientId,
      });
      expect(deleted.status).toBe(200);
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
