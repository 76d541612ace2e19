import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { z } from "zod";
import type { Principal } from "../auth/verify-token";
import { MAX_CONTENT_LENGTH, MAX_TITLE_LENGTH, toWireContext } from "../contexts/context";
import type { UserContexts } from "../contexts/user-contexts";
import type { ToolName } from "./scope-policy";

/** Name and version this server reports in `initialize`. */
export const SERVER_INFO = { name: "mcp-cognito-workers", version: "0.1.0" };

/** What the tools of one request work with. */
export interface ToolContext {
  principal: Principal;
  contexts: DurableObjectStub<UserContexts>;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Builds the MCP server for one request (stateless): the tools act for `principal` only. */
export function buildMcpServer({ principal, contexts, now }: ToolContext): McpServer {
  // ajv compiles schemas with `new Function`, which Workers forbid; @cfworker/json-schema does not.
  const server = new McpServer(SERVER_INFO, {
    jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
  });
  const id = z.string().uuid().describe("The context's id, as list_contexts returns it");
  const tool = (name: ToolName) => name;

  server.registerTool(
    tool("whoami"),
    {
      description: "Who the access token speaks for: subject, username, client, scopes, audience.",
      annotations: { readOnlyHint: true },
    },
    () =>
      result({
        sub: principal.sub,
        username: principal.username ?? null,
        client_id: principal.clientId,
        scopes: principal.scopes,
        audience: principal.audience,
      }),
  );

  server.registerTool(
    tool("list_contexts"),
    {
      description: "Lists your saved contexts, newest first.",
      annotations: { readOnlyHint: true },
    },
    async () => result({ contexts: (await contexts.list()).map(toWireContext) }),
  );

  server.registerTool(
    tool("get_context"),
    {
      description: "Reads one of your saved contexts.",
      inputSchema: { id },
      annotations: { readOnlyHint: true },
    },
    async (input) => {
      const found = await contexts.get(input.id);
      return found ? result(toWireContext(found)) : toolError(`context ${input.id} not found`);
    },
  );

  server.registerTool(
    tool("create_context"),
    {
      description: "Saves a new context (a titled piece of text) for you.",
      inputSchema: {
        title: z.string().trim().min(1).max(MAX_TITLE_LENGTH).describe("A short title"),
        content: z.string().max(MAX_CONTENT_LENGTH).describe("The text to keep"),
      },
    },
    async (input) => {
      const created = await contexts.create(input, now());
      return created
        ? result(toWireContext(created))
        : toolError("you keep too many contexts; delete some first");
    },
  );

  server.registerTool(
    tool("delete_context"),
    {
      description: "Deletes one of your saved contexts.",
      inputSchema: { id },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    async (input) =>
      (await contexts.delete(input.id))
        ? result({ deleted: input.id })
        : toolError(`context ${input.id} not found`),
  );

  return server;
}

function result(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
