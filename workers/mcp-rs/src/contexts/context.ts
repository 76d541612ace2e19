import { isJsonObject } from "@mcp-cognito-workers/http";
import { RequestError } from "../http/errors";

/** Longest context title, in characters. */
export const MAX_TITLE_LENGTH = 200;
/** Longest context content, in characters. */
export const MAX_CONTENT_LENGTH = 16_384;
/** Most contexts one user may keep. */
export const MAX_CONTEXTS_PER_USER = 500;

/** A context as its user's Durable Object stores it. */
export interface StoredContext {
  id: string;
  title: string;
  content: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** A context as the REST API and the MCP tools return it. */
export type WireContext = {
  id: string;
  title: string;
  content: string;
  created_at: string;
};

/** Maps a stored context to its wire form. */
export function toWireContext(context: StoredContext): WireContext {
  return {
    id: context.id,
    title: context.title,
    content: context.content,
    created_at: new Date(context.createdAt).toISOString(),
  };
}

/** Input of a new context, checked. */
export interface NewContext {
  title: string;
  content: string;
}

/** Narrows untrusted JSON to a new context; a 400 whose message names the field. */
export function parseNewContext(body: unknown): NewContext {
  if (!isJsonObject(body))
    throw new RequestError("invalid_request", "the body must be a JSON object", 400);
  const { title, content } = body;
  if (typeof title !== "string" || title.trim() === "" || title.length > MAX_TITLE_LENGTH)
    throw new RequestError(
      "invalid_request",
      `"title" must be a non-empty string of at most ${MAX_TITLE_LENGTH} characters`,
      400,
    );
  if (typeof content !== "string" || content.length > MAX_CONTENT_LENGTH)
    throw new RequestError(
      "invalid_request",
      `"content" must be a string of at most ${MAX_CONTENT_LENGTH} characters`,
      400,
    );
  return { title, content };
}
