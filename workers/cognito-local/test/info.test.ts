import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEMO, ISSUER, ORIGIN, POOL_ID, STATIC_CLIENT } from "./support";

describe("GET / shows what is running", () => {
  it("as JSON when asked for it", async () => {
    const res = await SELF.fetch(`${ORIGIN}/`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      userPoolId: POOL_ID,
      region: "us-east-1",
      issuer: ISSUER,
      staticClient: { clientId: STATIC_CLIENT.id, clientSecret: STATIC_CLIENT.secret },
      demoUser: DEMO,
      apiCredentials: { accessKeyId: "AKIALOCALDEVELOPMENT" },
    });
  });

  it("as HTML otherwise", async () => {
    const res = await SELF.fetch(`${ORIGIN}/`);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    for (const value of [
      POOL_ID,
      ISSUER,
      STATIC_CLIENT.id,
      STATIC_CLIENT.secret,
      DEMO.username,
      DEMO.password,
    ]) {
      expect(html).toContain(value);
    }
  });
});

describe("/_local/settings", () => {
  it("refuses unknown settings and bad values", async () => {
    for (const body of [
      '{"nope":1}',
      '{"appClientQuota":-1}',
      '{"rateLimitPerSecond":1.5}',
      "[]",
      "not json",
    ]) {
      const res = await SELF.fetch(`${ORIGIN}/_local/settings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(400);
    }
  });

  it("cannot be driven by another web page: text/plain is 415, a foreign Origin 403", async () => {
    const before = await (await SELF.fetch(`${ORIGIN}/_local/settings`)).json();
    const plain = await SELF.fetch(`${ORIGIN}/_local/settings`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"appClientQuota":0}',
    });
    expect(plain.status).toBe(415);
    for (const path of ["/_local/settings", "/_local/keys/rotate"]) {
      const foreign = await SELF.fetch(`${ORIGIN}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example" },
        body: path.endsWith("rotate") ? '{"dropOld":true}' : '{"appClientQuota":0}',
      });
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toMatchObject({ error: "forbidden_origin" });
    }
    const rotate = await SELF.fetch(`${ORIGIN}/_local/keys/rotate`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"dropOld":true}',
    });
    expect(rotate.status).toBe(415);
    expect(await (await SELF.fetch(`${ORIGIN}/_local/settings`)).json()).toEqual(before);
    const own = await SELF.fetch(`${ORIGIN}/_local/settings`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: "{}",
    });
    expect(own.status).toBe(200);
  });
});

describe("unknown paths", () => {
  it("answer 404 in JSON", async () => {
    const res = await SELF.fetch(`${ORIGIN}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});
