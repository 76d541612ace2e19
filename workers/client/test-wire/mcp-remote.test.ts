import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, request } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { findFreePort } from "@mcp-cognito-workers/test-support/ports";
import {
  authorizeThroughFrontDoor,
  type FrontDoorSignInResult,
} from "@mcp-cognito-workers/test-support/sign-in";
import { readWorkerVars, startLocalWorker } from "@mcp-cognito-workers/test-support/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wrangler from "wrangler";
import { startStack } from "./stack";

const standInVars = readWorkerVars(wrangler, "cognito-local");

/** Longest wait for anything mcp-remote or the stack does. */
const WAIT_MILLISECONDS = 60_000;
/** The protocol revision the test speaks, as a desktop host of that era does. */
const PROTOCOL_VERSION = "2025-06-18";
/** mcp-rs's variables as committed: its read and write scopes. */
const mcpVars = readWorkerVars(wrangler, "mcp-rs");
const READ = mcpVars.READ_SCOPE ?? "";
const WRITE = mcpVars.WRITE_SCOPE ?? "";
/** What mcp-remote prints when it wants a person to sign in. */
const AUTHORIZE_PROMPT = /Please authorize this client by visiting:\s+(\S+)/;

/** The `mcp-remote` bin (its package has no `exports`, so package.json resolves). */
function mcpRemoteBin(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("mcp-remote/package.json");
  const { bin } = require(manifest) as { bin: Record<string, string> };
  const path = bin["mcp-remote"];
  if (path === undefined) throw new TypeError("mcp-remote's package.json names no mcp-remote bin");
  return join(dirname(manifest), path);
}

/** Rejects when `promise` has not settled within `milliseconds`, saying what was awaited. */
async function within<T>(promise: Promise<T>, what: string, milliseconds = WAIT_MILLISECONDS) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${milliseconds / 1000} s`)),
      milliseconds,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request mcp-remote sent, as its proxy saw it. */
interface Proxied {
  method: string;
  url: URL;
  status: number;
  body: string;
  /** The scheme of its `Authorization` (`Bearer`, `Basic`), when it had one. */
  authorization?: string;
  /** The `WWW-Authenticate` of the response, when it had one. */
  challenge?: string;
}

/**
 * A forward proxy on 127.0.0.1 through which mcp-remote (`--enable-proxy`) sends every request,
 * recording each. undici tunnels even http through CONNECT, so each tunnel is handed to an inner
 * HTTP server that records and forwards the requests inside it.
 */
async function startRecordingProxy() {
  const seen: Proxied[] = [];
  const forwarder = createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? "/", `http://${incoming.headers.host}`);
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const upstream = request(
        target,
        { method: incoming.method, headers: incoming.headers },
        (response) => {
          const authorization = incoming.headers.authorization?.split(" ")[0];
          const challenge = response.headers["www-authenticate"];
          seen.push({
            method: incoming.method ?? "GET",
            url: target,
            status: response.statusCode ?? 0,
            body: body.toString(),
            ...(authorization === undefined ? {} : { authorization }),
            ...(challenge === undefined ? {} : { challenge }),
          });
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      upstream.on("error", () => outgoing.destroy());
      upstream.end(body);
    });
  });
  const server = createServer((_, outgoing) => outgoing.writeHead(405).end());
  server.on("connect", (_, socket, head) => {
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) socket.unshift(head);
    forwarder.emit("connection", socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      forwarder.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface JsonRpcResponse {
  id: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** mcp-remote as a desktop host runs it: a child speaking JSON-RPC lines on stdin and stdout. */
class Bridge {
  /** Everything written to stderr (logs, and the authorization URL). */
  stderr = "";
  private nextId = 1;
  private readonly pending = new Map<number, (message: JsonRpcResponse) => void>();
  private readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      const message = JSON.parse(line) as Partial<JsonRpcResponse>;
      if (typeof message.id === "number")
        this.pending.get(message.id)?.(message as JsonRpcResponse);
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  /**
   * Waits for a stderr line matching `pattern`, written at or after offset `from`; fails early,
   * with the log, if the child exits.
   */
  async waitForLog(pattern: RegExp, what: string, from = 0): Promise<RegExpExecArray> {
    const found = new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.stderr.slice(from));
        if (match === null) return;
        this.child.stderr.off("data", check);
        resolve(match);
      };
      this.child.stderr.on("data", check);
      check();
      void this.exited.then((code) => reject(new Error(`mcp-remote exited (${code})`)));
    });
    try {
      return await within(found, what);
    } catch (error) {
      throw new Error(`${(error as Error).message}; mcp-remote's log:\n${this.stderr}`);
    }
  }

  /** Sends a request and waits for its response. */
  async request(method: string, params: Record<string, unknown> = {}): Promise<JsonRpcResponse> {
    const id = this.nextId++;
    const response = new Promise<JsonRpcResponse>((resolve) => this.pending.set(id, resolve));
    this.send({ jsonrpc: "2.0", id, method, params });
    try {
      return await within(response, `answer to ${method}`);
    } catch (error) {
      throw new Error(`${(error as Error).message}; mcp-remote's log:\n${this.stderr}`);
    } finally {
      this.pending.delete(id);
    }
  }

  /** Sends a notification. */
  notify(method: string): void {
    this.send({ jsonrpc: "2.0", method });
  }

  private send(message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends the child: SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const stopped = await within(this.exited, "exit", 5_000).then(
      () => true,
      () => false,
    );
    if (!stopped) {
      this.child.kill("SIGKILL");
      await within(this.exited, "exit after SIGKILL", 5_000);
    }
  }
}

const stopAll: (() => Promise<void>)[] = [];
let stack: Awaited<ReturnType<typeof startStack>>;
let dcrOrigin: string;
/** Host labels for the sign-in's steps, by origin. */
const hosts = new Map<string, string>();

/** One mcp-remote as a desktop host runs it for one MCP server: its own store, proxy and port. */
interface Session {
  mcpUrl: string;
  proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  configDir: string;
  callbackPort: number;
  bridge: Bridge;
}

/** Starts mcp-remote for `mcpUrl`, fresh: nothing carries over between runs or sessions. */
async function startSession(mcpUrl: string): Promise<Session> {
  hosts.set(new URL(mcpUrl).origin, "mcp");
  const configDir = await mkdtemp(join(tmpdir(), "mcp-remote-wire-"));
  stopAll.push(() => rm(configDir, { recursive: true, force: true }));
  const callbackPort = await findFreePort();
  const proxy = await startRecordingProxy();
  stopAll.push(proxy.close);
  const bridge = new Bridge(
    spawn(
      process.execPath,
      [
        mcpRemoteBin(),
        mcpUrl,
        String(callbackPort),
        "--allow-http",
        "--auth-timeout",
        "60",
        "--enable-proxy",
      ],
      {
        env: {
          ...process.env,
          MCP_REMOTE_CONFIG_DIR: configDir,
          HTTP_PROXY: proxy.url,
          http_proxy: proxy.url,
          NO_PROXY: "",
          no_proxy: "",
          // Headless: the browser it tries to open is a command that fails, so it only logs the URL.
          BROWSER: "false",
        },
        stdio: ["pipe", "pipe", "pipe"],
      },
    ),
  );
  // Stopped before the stack and the config dir go (afterAll runs these in reverse).
  stopAll.push(() => bridge.stop());
  return { mcpUrl, proxy, configDir, callbackPort, bridge };
}

beforeAll(async () => {
  stack = await startStack();
  stopAll.push(stack.dispose);
  dcrOrigin = stack.dcr.origin;
  hosts.set(stack.dcr.origin, "dcr");
  hosts.set(stack.cognito.origin, "cognito-idp");
  hosts.set(stack.cognito.loginOrigin, "cognito-login");
});

afterAll(async () => {
  for (const stop of stopAll.reverse()) await stop().catch(() => {});
});

/** `method host/path status` of a request mcp-remote sent, e.g. `POST dcr/register 201`. */
function step(exchange: Proxied): string {
  const host = hosts.get(exchange.url.origin) ?? exchange.url.origin;
  return `${exchange.method} ${host}${exchange.url.pathname} ${exchange.status}`;
}

/** The MCP POSTs a session's mcp-remote sent from `from` on. */
function mcpPosts(session: Session, from: number): Proxied[] {
  return session.proxy.seen
    .slice(from)
    .filter((exchange) => exchange.method === "POST" && exchange.url.href === session.mcpUrl);
}

/** The JSON-RPC method of each MCP POST a session's mcp-remote sent from `from` on. */
function mcpMethods(session: Session, from: number): unknown[] {
  return mcpPosts(session, from).map(
    (exchange) => (JSON.parse(exchange.body) as { method?: unknown }).method,
  );
}

/** The browser arriving at mcp-remote's callback with the front door's redirect. */
async function deliverToCallback(location: URL): Promise<Response> {
  // mcp-remote's callback server listens on 127.0.0.1 only, which a browser reaches for
  // "localhost" but Node's fetch may try as ::1.
  const callback = new URL(location);
  callback.hostname = "127.0.0.1";
  return within(fetch(callback), "answer from mcp-remote's callback");
}

/** Signs the demo user in at an authorization URL mcp-remote printed, and delivers the code. */
async function signInAt(authorizationUrl: URL): Promise<FrontDoorSignInResult> {
  const signIn = await within(
    authorizeThroughFrontDoor(authorizationUrl.href, {
      username: standInVars.DEMO_USERNAME ?? "",
      password: standInVars.DEMO_PASSWORD ?? "",
    }),
    "sign-in through the front door",
  );
  const arrived = await deliverToCallback(signIn.location);
  expect(arrived.status).toBe(200);
  expect(await arrived.text()).toContain("Authorization successful");
  return signIn;
}

/** Sends `initialize` and `notifications/initialized` as a desktop host does. */
async function initialize(bridge: Bridge): Promise<void> {
  const initialized = await bridge.request("initialize", {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: "mcp-remote-wire-test", version: "1.0.0" },
  });
  expect(initialized.error).toBeUndefined();
  expect(initialized.result?.protocolVersion).toBe(PROTOCOL_VERSION);
  bridge.notify("notifications/initialized");
}

/** The structured result of a tools/call that succeeded. */
async function callTool(bridge: Bridge, name: string, args: Record<string, unknown> = {}) {
  const called = await bridge.request("tools/call", { name, arguments: args });
  expect(called.error).toBeUndefined();
  expect(called.result?.isError).toBeFalsy();
  return called.result?.structuredContent as Record<string, unknown> | undefined;
}

describe("mcp-remote, the stdio bridge of desktop MCP hosts, signs in through the front door", () => {
  let session: Session;
  let authorizationUrl: URL;
  let clientId: string | null;
  let signIn: FrontDoorSignInResult;
  /** How many requests mcp-remote had sent when the code reached its callback. */
  let beforeCallback: number;

  beforeAll(async () => {
    session = await startSession(stack.mcpUrl);
  });

  it("finds the front door from the 401 and registers with DCR there", async () => {
    const { bridge, proxy, configDir, callbackPort, mcpUrl } = session;
    const [, printed = ""] = await bridge.waitForLog(
      AUTHORIZE_PROMPT,
      "authorization URL on mcp-remote's stderr",
    );
    authorizationUrl = new URL(printed);
    clientId = authorizationUrl.searchParams.get("client_id");
    // mcp-remote probes before it connects (a GET for the challenge, then its own initialize),
    // and discovers again inside the SDK's auth(); it never talks to Cognito itself.
    expect(proxy.seen.map(step)).toEqual([
      "GET mcp/mcp 401",
      "GET mcp/.well-known/oauth-protected-resource/mcp 200",
      "GET dcr/.well-known/oauth-authorization-server 200",
      "GET mcp/mcp 401",
      "POST mcp/mcp 401",
      "GET mcp/.well-known/oauth-protected-resource/mcp 200",
      "GET dcr/.well-known/oauth-authorization-server 200",
      "POST dcr/register 201",
    ]);
    // Least privilege: the challenge asks for the read scope only, and so does mcp-remote.
    expect(proxy.seen[0]?.challenge).toBe(
      `Bearer scope="${READ}", resource_metadata="${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(authorizationUrl.searchParams.get("scope")).toBe(READ);
    const redirectUri = `http://localhost:${callbackPort}/oauth/callback`;
    expect(JSON.parse(proxy.seen.at(-1)?.body ?? "{}")).toMatchObject({
      client_name: "MCP CLI Proxy",
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
    });

    // The client_id dcr issued, as mcp-remote stored it, is the one it authorizes with.
    const store = join(configDir, "mcp-remote-v1");
    const files = (await readdir(store)).filter((name) => name.endsWith("_client_info.json"));
    expect(files).toHaveLength(1);
    const stored = JSON.parse(await readFile(join(store, files[0] ?? ""), "utf8")) as {
      client_id?: unknown;
    };
    expect(clientId).toEqual(expect.any(String));
    expect(stored.client_id).toBe(clientId);

    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${dcrOrigin}/authorize`);
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(redirectUri);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(mcpUrl);
  });

  it("is shown the consent page, approved, signed in at Cognito, and the code reaches its callback", async () => {
    const { bridge, proxy } = session;
    signIn = await within(
      authorizeThroughFrontDoor(authorizationUrl.href, {
        username: standInVars.DEMO_USERNAME ?? "",
        password: standInVars.DEMO_PASSWORD ?? "",
      }),
      "sign-in through the front door",
    );
    expect(signIn.consentShown).toBe(true);
    expect(signIn.consentPage).toContain("MCP CLI Proxy");
    expect(signIn.consentPage).toContain(clientId);
    expect(signIn.loginShown).toBe(true);
    const label = (line: string) =>
      line.replace(/ (https?:\/\/[^/]+)/, (_, origin: string) => ` ${hosts.get(origin) ?? origin}`);
    expect(signIn.steps.map(label)).toEqual([
      "GET dcr/authorize 200",
      "POST dcr/authorize/decision 302",
      "GET cognito-login/oauth2/authorize 302",
      "GET cognito-login/login 200",
      "POST cognito-login/login 302",
      "GET dcr/callback 302",
    ]);
    const { location } = signIn;
    expect(`${location.origin}${location.pathname}`).toBe(
      authorizationUrl.searchParams.get("redirect_uri"),
    );
    // RFC 9207: the front door names itself as the issuer of the response.
    expect(location.searchParams.get("iss")).toBe(dcrOrigin);
    expect(location.searchParams.get("state")).toBe(authorizationUrl.searchParams.get("state"));
    const code = location.searchParams.get("code");
    expect(code).toEqual(expect.any(String));

    beforeCallback = proxy.seen.length;
    const arrived = await deliverToCallback(location);
    expect(arrived.status).toBe(200);
    expect(await arrived.text()).toContain("Authorization successful");
    await bridge.waitForLog(/Proxy established successfully/, "proxy after the sign-in");

    // It redeemed that code at the front door's token endpoint, as the client it registered.
    const redeem = proxy.seen[beforeCallback];
    expect(redeem && step(redeem)).toBe("POST dcr/token 200");
    const form = new URLSearchParams(redeem?.body);
    expect(form.get("grant_type")).toBe("authorization_code");
    expect(form.get("code")).toBe(code);
    expect(form.get("client_id")).toBe(clientId);
    expect(form.get("redirect_uri")).toBe(authorizationUrl.searchParams.get("redirect_uri"));
    expect(form.get("code_verifier")).toEqual(expect.any(String));
  });

  it("then relays initialize, tools/list and tools/call whoami with the token it redeemed", async () => {
    const { bridge, proxy, mcpUrl } = session;
    const before = proxy.seen.length;
    await initialize(bridge);

    const listed = await bridge.request("tools/list");
    expect(listed.error).toBeUndefined();
    const tools = (listed.result?.tools ?? []) as { name: string }[];
    expect(tools.map((tool) => tool.name)).toContain("whoami");

    const me = await callTool(bridge, "whoami");
    expect(me?.username).toBe(standInVars.DEMO_USERNAME);
    expect(me?.client_id).toBe(clientId);
    expect(me?.audience).toEqual([mcpUrl]);
    expect(me?.scopes).toContain(READ);
    expect(me?.scopes).not.toContain(WRITE);

    // Each went to the MCP server with the bearer token, and none was challenged.
    expect(mcpMethods(session, before)).toEqual([
      "initialize",
      "notifications/initialized",
      "tools/list",
      "tools/call",
    ]);
    const sent = proxy.seen.slice(beforeCallback + 1);
    expect(
      sent.filter((exchange) => exchange.url.href === mcpUrl && exchange.method === "POST"),
    ).not.toHaveLength(0);
    for (const exchange of sent) {
      expect(exchange.url.origin).toBe(new URL(mcpUrl).origin);
      expect(exchange.authorization).toBe("Bearer");
      expect([401, 403]).not.toContain(exchange.status);
    }
  });

  it("is refused a write: the 403 names the write scope, but it signs in again for the read scope only", async () => {
    const { bridge, proxy, mcpUrl } = session;
    const before = proxy.seen.length;
    const logFrom = bridge.stderr.length;
    const answer = bridge.request("tools/call", {
      name: "create_context",
      arguments: { title: "from mcp-remote", content: "written through the bridge" },
    });

    // The 403 asks for read and write; mcp-remote's step-up asks the front door for read only.
    const [, printed = ""] = await bridge.waitForLog(AUTHORIZE_PROMPT, "step-up URL", logFrom);
    const stepUp = new URL(printed);
    expect(stepUp.searchParams.get("client_id")).toBe(clientId);
    expect(stepUp.searchParams.get("scope")).toBe(READ);
    // It prints the URL before its callback server listens again; a person is slower than that.
    await bridge.waitForLog(/OAuth callback server running/, "callback server", logFrom);
    await signInAt(stepUp);

    // With the new (read-only) token it is refused again, and gives up.
    const refused = await answer;
    expect(refused.error).toEqual({ code: -32001, message: "mcp-remote: Unauthorized" });
    expect(refused.result).toBeUndefined();
    expect(proxy.seen.slice(before).map(step)).toEqual([
      "POST mcp/mcp 403",
      "GET mcp/.well-known/oauth-protected-resource/mcp 200",
      "GET dcr/.well-known/oauth-authorization-server 200",
      "POST dcr/token 200",
      "POST mcp/mcp 403",
      "GET mcp/.well-known/oauth-protected-resource/mcp 200",
      "GET dcr/.well-known/oauth-authorization-server 200",
    ]);
    const challenges = mcpPosts(session, before).map((exchange) => exchange.challenge);
    expect(challenges).toEqual([
      `Bearer error="insufficient_scope", error_description="this operation needs the scopes ${READ} ${WRITE}", scope="${READ} ${WRITE}", resource_metadata="${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp"`,
      challenges[0],
    ]);
    expect(mcpMethods(session, before)).toEqual(["tools/call", "tools/call"]);

    // Reading still works, with a token that still lacks the write scope, and nothing was written.
    const me = await callTool(bridge, "whoami");
    expect(me?.scopes).toContain(READ);
    expect(me?.scopes).not.toContain(WRITE);
    expect(await callTool(bridge, "list_contexts")).toEqual({ contexts: [] });
  });
});

describe('with CHALLENGE_ALL_SCOPES = "true" on mcp-rs, mcp-remote signs in once and writes', () => {
  let session: Session;
  let clientId: string | null;

  beforeAll(async () => {
    // A second mcp-rs beside the stack's, challenging for every scope the tools need; it shares
    // dcr's KV namespace as the first does, to read the grant records of shared app clients.
    const port = await findFreePort();
    const stopMcpRs = await startLocalWorker(wrangler, "mcp-rs", {
      port,
      persistTo: stack.state,
      vars: {
        COGNITO_ISSUER: stack.cognito.issuer,
        AUTHORIZATION_SERVER: dcrOrigin,
        CHALLENGE_ALL_SCOPES: "true",
      },
    });
    stopAll.push(stopMcpRs);
    session = await startSession(`http://localhost:${port}/mcp`);
  });

  it("is challenged for read and write at once, and asks the front door for both", async () => {
    const { bridge, proxy, mcpUrl } = session;
    const [, printed = ""] = await bridge.waitForLog(
      AUTHORIZE_PROMPT,
      "authorization URL on mcp-remote's stderr",
    );
    const authorizationUrl = new URL(printed);
    clientId = authorizationUrl.searchParams.get("client_id");
    expect(proxy.seen.map(step)).toEqual([
      "GET mcp/mcp 401",
      "GET mcp/.well-known/oauth-protected-resource/mcp 200",
      "GET dcr/.well-known/oauth-authorization-server 200",
      "GET mcp/mcp 401",
      "POST mcp/mcp 401",
      "GET mcp/.well-known/oauth-protected-resource/mcp 200",
      "GET dcr/.well-known/oauth-authorization-server 200",
      "POST dcr/register 201",
    ]);
    const origin = new URL(mcpUrl).origin;
    for (const exchange of proxy.seen.filter((e) => e.status === 401))
      expect(exchange.challenge).toBe(
        `Bearer scope="${READ} ${WRITE}", resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
      );
    // The protected resource metadata is what it is without the setting.
    const metadata = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
    expect(((await metadata.json()) as { scopes_supported: unknown }).scopes_supported).toEqual([
      READ,
      WRITE,
    ]);

    expect(`${authorizationUrl.origin}${authorizationUrl.pathname}`).toBe(`${dcrOrigin}/authorize`);
    expect(authorizationUrl.searchParams.get("scope")).toBe(`${READ} ${WRITE}`);
    expect(authorizationUrl.searchParams.get("resource")).toBe(mcpUrl);

    await bridge.waitForLog(/OAuth callback server running/, "callback server");
    const signIn = await signInAt(authorizationUrl);
    expect(signIn.consentShown).toBe(true);
    expect(signIn.consentPage).toContain(clientId);
    await bridge.waitForLog(/Proxy established successfully/, "proxy after the sign-in");
  });

  it("creates a context with the token of that sign-in, then lists and reads it", async () => {
    const { bridge, proxy, mcpUrl } = session;
    const before = proxy.seen.length;
    const logFrom = bridge.stderr.length;
    await initialize(bridge);

    const me = await callTool(bridge, "whoami");
    expect(me?.client_id).toBe(clientId);
    expect(me?.audience).toEqual([mcpUrl]);
    expect(me?.scopes).toEqual(expect.arrayContaining([READ, WRITE]));

    const title = "written by mcp-remote";
    const content = "one sign-in, with the scopes the first challenge named";
    const created = await callTool(bridge, "create_context", { title, content });
    expect(created).toMatchObject({ title, content });
    const id = created?.id;
    expect(id).toEqual(expect.any(String));

    const listed = await callTool(bridge, "list_contexts");
    expect(listed).toEqual({ contexts: [created] });
    expect(await callTool(bridge, "get_context", { id })).toEqual(created);

    // No challenge and no second sign-in on the way.
    expect(mcpMethods(session, before)).toEqual([
      "initialize",
      "notifications/initialized",
      "tools/call",
      "tools/call",
      "tools/call",
      "tools/call",
    ]);
    for (const exchange of proxy.seen.slice(before)) {
      expect(exchange.url.origin).toBe(new URL(mcpUrl).origin);
      expect(exchange.authorization).toBe("Bearer");
      expect([401, 403]).not.toContain(exchange.status);
    }
    expect(AUTHORIZE_PROMPT.test(bridge.stderr.slice(logFrom))).toBe(false);
  });
});
