// The actions the start page offers against the MCP server: one type, and the table from which
// the page's buttons and the reading of a submitted form both derive.

/** What the page can ask the MCP server for (kept in the session across a step-up). */
export type McpAction =
  | { kind: "tools" }
  | { kind: "whoami" }
  | { kind: "list_contexts" }
  | { kind: "rest_contexts" }
  | { kind: "create_context"; title: string; content: string }
  | { kind: "delete_context"; id: string };

/** The name of an action, as in its form's path (`/mcp/<flow>/<kind>`). */
export type McpActionKind = McpAction["kind"];

/** A submitted form's fields, as Hono's `parseBody` gives them. */
export type FormFields = Readonly<Record<string, unknown>>;

/** How one action appears on the start page and is read back from its form. */
export interface McpActionForm<K extends McpActionKind> {
  kind: K;
  /** The text of its submit button. */
  label: string;
  /** The inputs its form carries besides the CSRF token (none: a button on its own). */
  fields: readonly Exclude<keyof Extract<McpAction, { kind: K }>, "kind">[];
  /** The action, read from its submitted form (a missing field reads as empty). */
  parse(form: FormFields): Extract<McpAction, { kind: K }>;
}

/** A text field of a submitted form; absent or not text, it reads as empty. */
function readText(form: FormFields, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

/** Every action, in the order the start page lists them. */
export const MCP_ACTIONS: { readonly [K in McpActionKind]: McpActionForm<K> } = {
  tools: { kind: "tools", label: "List tools (MCP)", fields: [], parse: () => ({ kind: "tools" }) },
  whoami: {
    kind: "whoami",
    label: "Who am I (MCP)",
    fields: [],
    parse: () => ({ kind: "whoami" }),
  },
  list_contexts: {
    kind: "list_contexts",
    label: "List contexts (MCP)",
    fields: [],
    parse: () => ({ kind: "list_contexts" }),
  },
  rest_contexts: {
    kind: "rest_contexts",
    label: "List contexts (REST)",
    fields: [],
    parse: () => ({ kind: "rest_contexts" }),
  },
  create_context: {
    kind: "create_context",
    label: "Create context",
    fields: ["title", "content"],
    parse: (form) => ({
      kind: "create_context",
      title: readText(form, "title"),
      content: readText(form, "content"),
    }),
  },
  delete_context: {
    kind: "delete_context",
    label: "Delete context",
    fields: ["id"],
    parse: (form) => ({ kind: "delete_context", id: readText(form, "id") }),
  },
};

/** Whether `kind` names one of {@link MCP_ACTIONS}. */
export function isMcpActionKind(kind: string): kind is McpActionKind {
  return Object.hasOwn(MCP_ACTIONS, kind);
}

/** The action a form posted to `/mcp/<flow>/<kind>` asks for; undefined for an unknown kind. */
export function parseMcpAction(kind: string, form: FormFields): McpAction | undefined {
  return isMcpActionKind(kind) ? MCP_ACTIONS[kind].parse(form) : undefined;
}
