// One use of the server, as a client would: connect, list and call what it offers; a refusal
// (401, 403) comes back with its challenge for the caller to act on.

import { type Client, ProtocolError, type Tool } from "@modelcontextprotocol/client";
import { createMcpClient, createMcpTransport } from "../src/mcp/call";
import { type BearerChallenge, parseBearerChallenge, recordRefusals } from "../src/oauth";
import { buildArguments, buildFormAnswer, contextToolCalls } from "./arguments";
import { describeError, fetchOnNewConnection, slow } from "./net";
import { serverUrl, versionNegotiation } from "./options";

/**
 * Lists and calls tools, reads resources, gets prompts: what the server offers. A refusal (401,
 * 403) ends it; any other failure of one call is noted and the next call made. Returns the notes
 * and whether a call failed other than by the server's JSON-RPC error answer.
 */
async function exercise(client: Client, isRefused: () => boolean) {
  const notes: string[] = [];
  let failed = false;
  const attempt = async (what: string, call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      if (isRefused()) throw error;
      const answered = error instanceof ProtocolError;
      failed ||= !answered;
      const answer = answered ? `the server answered ${error.code} ` : "";
      notes.push(`${what}: ${answer}${describeError(error)}`);
    }
  };
  const capabilities = client.getServerCapabilities() ?? {};
  if (capabilities.tools) {
    const { tools } = await client.listTools(undefined, slow);
    const calls =
      contextToolCalls() ??
      tools.map((tool: Tool) => ({ name: tool.name, arguments: buildArguments(tool.inputSchema) }));
    for (const call of calls) {
      await attempt(`tool ${call.name}`, () => client.callTool(call, slow));
    }
  }
  if (capabilities.resources) {
    const { resources } = await client.listResources(undefined, slow);
    for (const { uri } of resources) {
      await attempt(`resource ${uri}`, () => client.readResource({ uri }, slow));
    }
  }
  if (capabilities.prompts) {
    const { prompts } = await client.listPrompts(undefined, slow);
    for (const prompt of prompts) {
      const args = Object.fromEntries(
        (prompt.arguments ?? [])
          .filter((argument) => argument.required)
          .map((argument) => [argument.name, "conformance"]),
      );
      await attempt(`prompt ${prompt.name}`, () =>
        client.getPrompt({ name: prompt.name, arguments: args }, slow),
      );
    }
  }
  return { notes, failed };
}

/** A refusal of the server: its status and challenge. */
export interface Refusal {
  status: number;
  challenge: BearerChallenge;
}

/** Uses the server (with a token, when there is one); returns its refusal if it refused. */
export async function useServer(accessToken?: string): Promise<Refusal | undefined> {
  const { fetch: recordingFetch, lastRefusal } = recordRefusals(fetchOnNewConnection);
  const client = createMcpClient({
    versionNegotiation,
    capabilities: { elicitation: { form: {} } },
  });
  client.setRequestHandler("elicitation/create", async (request) => {
    const schema: unknown =
      "requestedSchema" in request.params ? request.params.requestedSchema : {};
    return { action: "accept", content: buildFormAnswer(schema) };
  });
  const transport = createMcpTransport(serverUrl, accessToken, { fetch: recordingFetch });
  try {
    await client.connect(transport, slow);
    const { notes, failed } = await exercise(client, () => lastRefusal() !== undefined);
    for (const note of notes) console.error(note);
    if (failed) process.exitCode = 1;
    return undefined;
  } catch (error) {
    const refused = lastRefusal();
    if (!refused) throw error;
    return {
      status: refused.status,
      challenge: (await parseBearerChallenge(refused)) ?? { error: `http_${refused.status}` },
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}
