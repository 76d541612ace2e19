import { describe, expect, it } from "vitest";
import { callLegacy, callModern, READ, type RpcAnswer, setup } from "./support";

type Call = Awaited<ReturnType<typeof setup>>["call"];
type Era = "2026-07-28" | "2025-11-25";

/** Sends one request on the wire of `era`. */
const send = (era: Era, call: Call, token: string, method: string, params = {}) =>
  era === "2026-07-28"
    ? callModern(call, token, method, params)
    : callLegacy(call, token, method, params);

/** Saves a context for the owner of `token`; its id. */
async function save(call: Call, token: string, title: string, content: string) {
  const { body } = await callModern(call, token, "tools/call", {
    name: "create_context",
    arguments: { title, content },
  });
  const created = body.result?.structuredContent as { id: string } | undefined;
  if (!created) throw new Error(`create_context failed: ${JSON.stringify(body)}`);
  return created.id;
}

/** Two users with their own tokens. */
async function twoUsers() {
  const env = await setup();
  const alice = await env.token({ sub: crypto.randomUUID(), username: "alice" });
  const bob = await env.token({ sub: crypto.randomUUID(), username: "bob" });
  return { ...env, alice, bob };
}

const resultOf = (body: RpcAnswer) => body.result as Record<string, unknown>;

describe("MCP resources: the user's contexts", () => {
  it("lists the user's contexts, newest first, with a private cache hint", async () => {
    const { call, clock, alice } = await twoUsers();
    const first = await save(call, alice, "First", "one");
    clock.now += 1000;
    const second = await save(call, alice, "Second", "two two");
    const { res, body } = await callModern(call, alice, "resources/list");
    expect(res.status).toBe(200);
    expect(body.result).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "private" });
    expect(resultOf(body).resources).toEqual([
      {
        uri: `context://${second}`,
        name: "Second",
        title: "Second",
        description: "One of your saved contexts, by id.",
        mimeType: "text/plain",
        size: 7,
        annotations: { lastModified: new Date(clock.now).toISOString() },
      },
      {
        uri: `context://${first}`,
        name: "First",
        title: "First",
        description: "One of your saved contexts, by id.",
        mimeType: "text/plain",
        size: 3,
        annotations: { lastModified: new Date(clock.now - 1000).toISOString() },
      },
    ]);
  });

  it("advertises the template that reads one context by id, with a public cache hint", async () => {
    const { call, alice } = await twoUsers();
    const { body } = await callModern(call, alice, "resources/templates/list");
    expect(body.result).toMatchObject({
      resourceTemplates: [
        {
          name: "context",
          title: "Saved context",
          uriTemplate: "context://{id}",
          mimeType: "text/plain",
        },
      ],
      resultType: "complete",
      ttlMs: 300_000,
      cacheScope: "public",
    });
  });

  it("reads a context by URI, with a private cache hint", async () => {
    const { call, alice } = await twoUsers();
    const id = await save(call, alice, "Recipe", "flour, water, salt");
    const uri = `context://${id}`;
    const { body } = await callModern(call, alice, "resources/read", { uri });
    expect(body.result).toMatchObject({
      contents: [{ uri, mimeType: "text/plain", text: "flour, water, salt" }],
      resultType: "complete",
      ttlMs: 60_000,
      cacheScope: "private",
    });
  });

  it.each<Era>(["2026-07-28", "2025-11-25"])("lists and reads on the %s wire", async (era) => {
    const { call, alice } = await twoUsers();
    const id = await save(call, alice, "Either", "wire");
    const listed = await send(era, call, alice, "resources/list");
    expect(resultOf(listed.body).resources).toMatchObject([{ uri: `context://${id}` }]);
    const read = await send(era, call, alice, "resources/read", { uri: `context://${id}` });
    expect(resultOf(read.body).contents).toMatchObject([{ text: "wire" }]);
  });

  describe("an unknown resource is -32602 with data.uri", () => {
    it.each<[string, Era]>([
      [`context://${crypto.randomUUID()}`, "2026-07-28"],
      [`context://${crypto.randomUUID()}`, "2025-11-25"],
      ["context://not-an-id", "2026-07-28"],
      ["context://", "2026-07-28"],
      ["file:///etc/passwd", "2026-07-28"],
      ["file:///etc/passwd", "2025-11-25"],
    ])("%s (%s)", async (uri, era) => {
      const { call, alice } = await twoUsers();
      const { body } = await send(era, call, alice, "resources/read", { uri });
      expect(body.result).toBeUndefined();
      expect(body.error).toEqual({
        code: -32602,
        message: `Resource not found: ${uri}`,
        data: { uri },
      });
    });
  });
});

describe("MCP prompts: use_context", () => {
  it("is listed with its one argument, with a public cache hint", async () => {
    const { call, alice } = await twoUsers();
    const { body } = await callModern(call, alice, "prompts/list");
    expect(body.result).toMatchObject({
      prompts: [
        {
          name: "use_context",
          title: "Use a saved context",
          arguments: [
            {
              name: "id",
              required: true,
              description: "The context's id, as list_contexts returns it",
            },
          ],
        },
      ],
      ttlMs: 300_000,
      cacheScope: "public",
    });
  });

  it.each<Era>(["2026-07-28", "2025-11-25"])(
    "returns the saved context as a user message (%s)",
    async (era) => {
      const { call, alice } = await twoUsers();
      const id = await save(call, alice, "Style guide", "Write short sentences.");
      const { body } = await send(era, call, alice, "prompts/get", {
        name: "use_context",
        arguments: { id },
      });
      expect(body.result).toMatchObject({
        description: "Style guide",
        messages: [
          {
            role: "user",
            content: {
              type: "resource",
              resource: {
                uri: `context://${id}`,
                mimeType: "text/plain",
                text: "Write short sentences.",
              },
            },
          },
        ],
      });
    },
  );

  it.each([[crypto.randomUUID()], ["not-an-id"]])(
    "answers an unknown context id %s with -32602",
    async (id) => {
      const { call, alice } = await twoUsers();
      const { body } = await callModern(call, alice, "prompts/get", {
        name: "use_context",
        arguments: { id },
      });
      expect(body.error?.code).toBe(-32602);
    },
  );
});

describe("MCP completion/complete: context ids", () => {
  const promptRef = { type: "ref/prompt", name: "use_context" };
  const templateRef = { type: "ref/resource", uri: "context://{id}" };

  it.each([
    ["the prompt argument", promptRef],
    ["the template variable", templateRef],
  ])("completes %s from ids and titles", async (_, ref) => {
    const { call, clock, alice } = await twoUsers();
    const recipe = await save(call, alice, "Recipe", "a");
    clock.now += 1000;
    const review = await save(call, alice, "Review notes", "b");
    const complete = async (value: string) => {
      const { body } = await callModern(call, alice, "completion/complete", {
        ref,
        argument: { name: "id", value },
      });
      return (body.result as { completion: { values: string[] } }).completion.values;
    };
    expect(await complete("")).toEqual([review, recipe]);
    expect(await complete("re")).toEqual([review, recipe]);
    expect(await complete("rev")).toEqual([review]);
    expect(await complete(recipe.slice(0, 8))).toEqual([recipe]);
    expect(await complete("zzz")).toEqual([]);
  });
});

describe("per-user isolation: resources, prompts and completions act for the token's sub", () => {
  it.each<Era>(["2026-07-28", "2025-11-25"])("on the %s wire", async (era) => {
    const { call, alice, bob } = await twoUsers();
    const id = await save(call, alice, "Secret", "only alice");
    const uri = `context://${id}`;

    const listed = await send(era, call, bob, "resources/list");
    expect(resultOf(listed.body).resources).toEqual([]);

    const read = await send(era, call, bob, "resources/read", { uri });
    expect(read.body.error).toMatchObject({ code: -32602, data: { uri } });

    const prompt = await send(era, call, bob, "prompts/get", {
      name: "use_context",
      arguments: { id },
    });
    expect(prompt.body.error?.code).toBe(-32602);

    for (const ref of [
      { type: "ref/prompt", name: "use_context" },
      { type: "ref/resource", uri: "context://{id}" },
    ]) {
      for (const value of ["", "Sec", id.slice(0, 8)]) {
        const completion = await send(era, call, bob, "completion/complete", {
          ref,
          argument: { name: "id", value },
        });
        expect(completion.body.result?.completion).toMatchObject({ values: [] });
      }
    }

    // Alice still sees her own through every method.
    const own = await send(era, call, alice, "resources/read", { uri });
    expect(resultOf(own.body).contents).toMatchObject([{ text: "only alice" }]);
    const ownPrompt = await send(era, call, alice, "prompts/get", {
      name: "use_context",
      arguments: { id },
    });
    expect(resultOf(ownPrompt.body).description).toBe("Secret");
  });
});

describe("MCP authorization: resources, prompts and completions need the read scope", () => {
  it.each([
    ["resources/list", {}],
    ["resources/templates/list", {}],
    ["resources/read", { uri: "context://x" }],
    ["prompts/list", {}],
    ["prompts/get", { name: "use_context", arguments: { id: "x" } }],
    [
      "completion/complete",
      { ref: { type: "ref/prompt", name: "use_context" }, argument: { name: "id", value: "" } },
    ],
  ])("%s without it is 403 insufficient_scope", async (method, params) => {
    const { call, token } = await setup();
    const { res } = await callModern(call, await token({ scope: "openid email" }), method, params);
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain(
      `error="insufficient_scope", error_description="this operation needs the scopes ${READ}", scope="${READ}"`,
    );
  });
});
