import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { compileRedirectPattern, readConfig } from "./config";

describe("configuration", () => {
  it("reads the dev values", () => {
    const config = readConfig(env);
    expect(config.issuer).toBe("http://localhost:3002");
    expect(config.policy.defaultScopes).toEqual(["openid", "mcp-api/read"]);
    expect(config.policy.allowClientCredentials).toBe(false);
    expect(config.initialAccessToken).toBeUndefined();
  });

  it("refuses default scopes outside the allowed ones", () => {
    expect(() => readConfig({ ...env, DEFAULT_SCOPES: "openid admin" })).toThrow(TypeError);
  });

  it("reads the step-up scopes, which must be allowed ones; empty means none", () => {
    expect(readConfig(env).policy.stepUpScopes).toEqual(["mcp-api/read", "mcp-api/write"]);
    expect(readConfig({ ...env, STEP_UP_SCOPES: "" }).policy.stepUpScopes).toEqual([]);
    expect(() => readConfig({ ...env, STEP_UP_SCOPES: "mcp-api/admin" })).toThrow(
      "STEP_UP_SCOPES names mcp-api/admin, which ALLOWED_SCOPES does not",
    );
  });

  it("app clients get 15-minute access tokens unless ACCESS_TOKEN_MINUTES says otherwise, within Cognito's 5-1440", () => {
    expect(readConfig(env).policy.accessTokenMinutes).toBe(15);
    expect(readConfig({ ...env, ACCESS_TOKEN_MINUTES: "" }).policy.accessTokenMinutes).toBe(15);
    expect(readConfig({ ...env, ACCESS_TOKEN_MINUTES: "60" }).policy.accessTokenMinutes).toBe(60);
    for (const bad of ["4", "1441", "1.5", "x"])
      expect(() => readConfig({ ...env, ACCESS_TOKEN_MINUTES: bad })).toThrow(TypeError);
  });

  it("reads the registration caps and the unused-client delay: defaults 500 a day and 48 hours, 0 off", () => {
    const defaults = readConfig({ ...env, REGISTRATIONS_PER_DAY: "", UNUSED_CLIENT_HOURS: "" });
    expect(defaults.registrationsPerDay).toBe(500);
    expect(defaults.unusedClientHours).toBe(48);
    const off = readConfig({ ...env, REGISTRATIONS_PER_DAY: "0", UNUSED_CLIENT_HOURS: "0" });
    expect([off.registrationsPerDay, off.unusedClientHours]).toEqual([0, 0]);
    expect(() => readConfig({ ...env, REGISTRATIONS_PER_DAY: "-1" })).toThrow(
      "configuration variable REGISTRATIONS_PER_DAY must be a non-negative integer",
    );
    expect(() => readConfig({ ...env, UNUSED_CLIENT_HOURS: "1.5" })).toThrow(
      "configuration variable UNUSED_CLIENT_HOURS must be a non-negative integer",
    );
  });

  it("refuses a missing Cognito setting and a bad number", () => {
    expect(() => readConfig({ ...env, COGNITO_USER_POOL_ID: "" })).toThrow(
      "configuration variable COGNITO_USER_POOL_ID must be set",
    );
    expect(() => readConfig({ ...env, STALE_AFTER_DAYS: "-1" })).toThrow(TypeError);
  });
});

describe("redirect allow patterns", () => {
  it("`*` matches within one URL part only", () => {
    const pattern = compileRedirectPattern("https://*.example.com/cb");
    expect(pattern.test("https://app.example.com/cb")).toBe(true);
    expect(pattern.test("https://evil.com/x.example.com/cb")).toBe(false);
    expect(pattern.test("https://evil.com?.example.com/cb")).toBe(false);
    expect(pattern.test("https://app.example.com/cb/more")).toBe(false);
    expect(compileRedirectPattern("http://localhost:*/cb").test("http://localhost:1234/cb")).toBe(
      true,
    );
  });

  it("a host `*` is one whole leftmost label: the suffix matches on a label boundary", () => {
    const pattern = compileRedirectPattern("https://*.example.com/cb");
    expect(pattern.test("https://evilexample.com/cb")).toBe(false);
    expect(pattern.test("https://a.b.example.com/cb")).toBe(false);
    expect(pattern.test("https://.example.com/cb")).toBe(false);
    expect(pattern.test("https://evil.com\\.example.com/cb")).toBe(false);
    expect(
      compileRedirectPattern("https://*.Example.COM/cb").test("https://a.example.com/cb"),
    ).toBe(true);
  });

  it("refuses a pattern whose `*` is not a whole label or port", () => {
    for (const bad of ["https://*example.com/cb", "https://app.*.com/cb", "http://localhost:8*/cb"])
      expect(() => compileRedirectPattern(bad)).toThrow(TypeError);
  });

  it("escapes regular-expression characters", () => {
    expect(compileRedirectPattern("https://a.example/cb").test("https://aXexample/cb")).toBe(false);
  });
});
