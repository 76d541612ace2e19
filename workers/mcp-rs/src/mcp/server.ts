import {
  type CacheHint,
  type CacheScope,
  type CallToolResult,
  completable,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type Resource,
  ResourceNotFoundError,
  ResourceTemplate,
} from "@modelcontextprotocol/server";
import * as z from "zod/v4";
import type { Principal } from "../auth/verify-token";
import {
  MAX_CONTENT_LENGTH,
  MAX_TITLE_LENGTH,
  type StoredContext,
  toWireContext,
} from "../contexts/context";
import type { UserContexts } from "../contexts/user-contexts";
import type { ToolName } from "./scope-policy";

/** Name and version this server reports (`initialize`, and `_meta` of 2026-07-28 results). */
export const SERVER_INFO = { name: "mcp-cognito-workers", version: "0.1.0" };

/** The logger name of the log notifications this server sends. */
const LOGGER = "contexts";

/** URI template of a saved context as an MCP resource. */
export const CONTEXT_URI_TEMPLATE = "context://{id}";

/** The resource URI of the context `id`. */
export function buildContextUri(id: string): string {
  return `context://${id}`;
}

/** How long a client may reuse a list that is the same for every user (tools, prompts, templates). */
const STATIC_LIST_TTL_MS = 5 * 60_000;
/** How long a client may reuse a read context: a context never changes, it can only be deleted. */
const CONTEXT_READ_TTL_MS = 60_000;

/**
 * Cache hints of the 2026-07-28 cacheable results. What depends on the user (their contexts) is
 * `private`; what is the same for everyone is `public`. Neither is access control.
 * @see MCP 2026-07-28 server/utilities/caching
 */
export const CACHE_HINTS = {
  "server/discover": { ttlMs: STATIC_LIST_TTL_MS, cacheScope: "public" },
  "tools/list": { ttlMs: STATIC_LIST_TTL_MS, cacheScope: "public" },
  "prompts/list": { ttlMs: STATIC_LIST_TTL_MS, cacheScope: "public" },
  "resources/templates/list": { ttlMs: STATIC_LIST_TTL_MS, cacheScope: "public" },
  // The user's contexts change whenever they save or delete one.
  "resources/list": { ttlMs: 0, cacheScope: "private" },
  "resources/read": { ttlMs: CONTEXT_READ_TTL_MS, cacheScope: "private" },
} as const satisfies Record<string, CacheHint & { cacheScope: CacheScope }>;

/** Who one MCP exchange is served for, as authentication found them. */
export interface McpCaller {
  principal: Principal;
  /** The access token the request carried. */
  token: string;
  /** The caller's saved contexts. */
  contexts: DurableObjectStub<UserContexts>;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/**
 * Where a server's handlers find the caller of the exchange the server is serving: `run` hands
 * `work` that caller, and knows while the work runs.
 */
export interface McpCallerSeat {
  run<T>(work: (caller: McpCaller) => T | Promise<T>): Promise<T>;
}

const contextId = () => z.uuid().describe("The context's id, as list_contexts returns it");
const ID_INPUT = z.object({ id: contextId() });
const NEW_CONTEXT_INPUT = z.object({
  title: z.string().trim().min(1).max(MAX_TITLE_LENGTH).describe("A short title"),
  content: z.string().max(MAX_CONTENT_LENGTH).describe("The text to keep"),
});

/**
 * Builds an MCP server (stateless, either protocol era): tools, the user's contexts as resources,
 * the `use_context` prompt and completions. It holds no caller: every handler acts for the caller
 * `seat` gives it, the caller of the exchange being served.
 */
export function buildMcpServer(seat: McpCallerSeat): McpServer {
  const server = new McpServer(SERVER_INFO, {
    cacheHints: CACHE_HINTS,
    // Nothing is ever announced: the tools and prompts are fixed, and no list-change stream
    // outlives a request here.
    capabilities: {
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
      // Saving and deleting a context are logged to the client that asks for it: per request
      // with `_meta` logLevel (2026-07-28), after `logging/setLevel` on the initialize-era wire.
      logging: {},
    },
  });
  const tool = (name: ToolName) => name;
  // Completion callbacks get no request context from the SDK: the seat is how they find the caller.
  const completeContextId = (value: string) =>
    seat.run(async ({ contexts }) => {
      const prefix = value.toLowerCase();
      return (await contexts.list())
        .filter(
          (context) =>
            context.id.startsWith(prefix) || context.title.toLowerCase().startsWith(prefix),
        )
        .map((context) => context.id);
    });

  server.registerTool(
    tool("whoami"),
    {
      description: "Who the access token speaks for: subject, username, client, scopes, audience.",
      annotations: { readOnlyHint: true },
    },
    () =>
      seat.run(({ principal }) =>
        result({
          sub: principal.sub,
          username: principal.username ?? null,
          // The registration, when the token's client_id is a shared app client serving it.
          client_id: principal.registration ?? principal.clientId,
          scopes: principal.scopes,
          audience: principal.audience,
        }),
      ),
  );

  server.registerTool(
    tool("list_contexts"),
    {
      description: "Lists your saved contexts, newest first.",
      annotations: { readOnlyHint: true },
    },
    () =>
      seat.run(async ({ contexts }) =>
        result({ contexts: (await contexts.list()).map(toWireContext) }),
      ),
  );

  server.registerTool(
    tool("get_context"),
    {
      description: "Reads one of your saved contexts.",
      inputSchema: ID_INPUT,
      annotations: { readOnlyHint: true },
    },
    ({ id }) =>
      seat.run(async ({ contexts }) => {
        const found = await contexts.get(id);
        return found ? result(toWireContext(found)) : toolError(`context ${id} not found`);
      }),
  );

  server.registerTool(
    tool("create_context"),
    {
      description: "Saves a new context (a titled piece of text) for you.",
      inputSchema: NEW_CONTEXT_INPUT,
    },
    (input, ctx) =>
      seat.run(async ({ contexts, now }) => {
        const created = await contexts.create(input, now());
        if (!created) return toolError("you keep too many contexts; delete some first");
        await ctx.mcpReq.log("info", { event: "context_saved", id: created.id }, LOGGER);
        return result(toWireContext(created));
      }),
  );

  server.registerTool(
    tool("delete_context"),
    {
      description: "Deletes one of your saved contexts.",
      inputSchema: ID_INPUT,
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    ({ id }, ctx) =>
      seat.run(async ({ contexts }) => {
        if (!(await contexts.delete(id))) return toolError(`context ${id} not found`);
        await ctx.mcpReq.log("info", { event: "context_deleted", id }, LOGGER);
        return result({ deleted: id });
      }),
  );

  server.registerResource(
    "context",
    new ResourceTemplate(CONTEXT_URI_TEMPLATE, {
      list: () =>
        seat.run(async ({ contexts }) => ({ resources: (await contexts.list()).map(toResource) })),
      complete: { id: completeContextId },
    }),
    {
      title: "Saved context",
      description: "One of your saved contexts, by id.",
      mimeType: "text/plain",
    },
    (uri, { id }) =>
      seat.run(async ({ contexts }) => {
        const found = typeof id === "string" ? await contexts.get(id) : null;
        if (!found) throw new ResourceNotFoundError(uri.href);
        return { contents: [toResourceContents(found)] };
      }),
  );

  server.registerPrompt(
    "use_context",
    {
      title: "Use a saved context",
      description: "Puts one of your saved contexts into the conversation.",
      // `completable` marks the schema it is given, so each server gets its own.
      argsSchema: z.object({ id: completable(contextId(), completeContextId) }),
    },
    ({ id }) =>
      seat.run(async ({ contexts }) => {
        const found = await contexts.get(id);
        if (!found)
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, `context ${id} not found`);
        return {
          description: found.title,
          messages: [
            { role: "user", content: { type: "resource", resource: toResourceContents(found) } },
          ],
        };
      }),
  );

  return server;
}

function toResource(context: StoredContext): Resource {
  return {
    uri: buildContextUri(context.id),
    name: context.title,
    // Else the template's title, the same for every context, would be shown.
    title: context.title,
    mimeType: "text/plain",
    size: new TextEncoder().encode(context.content).byteLength,
    annotations: { lastModified: new Date(context.createdAt).toISOString() },
  };
}

function toResourceContents(context: StoredContext) {
  return { uri: buildContextUri(context.id), mimeType: "text/plain", text: context.content };
}

function result(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
