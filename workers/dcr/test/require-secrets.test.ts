import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { REQUIRED_SECRETS } from "../src/http/require-secrets";
import { authorizePath, INSPECTOR, setup } from "./support";

// Each refused request logs `secret_missing`; one test reads those lines.
beforeEach(() => vi.spyOn(console, "error").mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

/** Expects the 503 of a missing secret, exactly. */
async function expectMissingSecret(response: Response, description: string) {
  expect(response.status).toBe(503);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("retry-after")).toBe("60");
  expect(await response.json()).toEqual({
    error: "temporarily_unavailable",
    error_description: description,
  });
}

describe("a required secret missing: 503 naming it, never a 500", () => {
  it("requires the AWS secret key and the front door's key", () => {
    expect(REQUIRED_SECRETS).toEqual(["COGNITO_SECRET_ACCESS_KEY", "FRONT_DOOR_KEY"]);
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["blank", "   "],
  ])(
    "COGNITO_SECRET_ACCESS_KEY %s: POST /register answers 503 and calls no one",
    async (_name, value) => {
      const { register, cognito } = setup({ vars: { COGNITO_SECRET_ACCESS_KEY: value } });
      await expectMissingSecret(await register(INSPECTOR), "COGNITO_SECRET_ACCESS_KEY is not set");
      expect(cognito.calls).toEqual([]);
      expect(cognito.oauthCalls).toEqual([]);
    },
  );

  it("FRONT_DOOR_KEY absent: the front door, the metadata and RFC 7592 answer 503", async () => {
    const facade = setup({ vars: { FRONT_DOOR_KEY: undefined } });
    for (const path of [
      authorizePath({ client_id: "x", redirect_uri: "http://localhost:6274/oauth/callback" }),
      "/.well-known/oauth-authorization-server",
      "/register/abc",
    ])
      await expectMissingSecret(await facade.call(path), "FRONT_DOOR_KEY is not set");
    const token = await facade.call("/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=refresh_token&refresh_token=r&client_id=c",
    });
    await expectMissingSecret(token, "FRONT_DOOR_KEY is not set");
    expect(facade.cognito.calls).toEqual([]);
  });

  it("names every missing secret, and logs their names (no value)", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => {
      errors.push(String(line));
    });
    const { register } = setup({
      vars: { COGNITO_SECRET_ACCESS_KEY: "", FRONT_DOOR_KEY: undefined },
    });
    await expectMissingSecret(
      await register(INSPECTOR),
      "COGNITO_SECRET_ACCESS_KEY, FRONT_DOOR_KEY are not set",
    );
    expect(errors.map((line) => JSON.parse(line))).toEqual([
      { event: "secret_missing", names: ["COGNITO_SECRET_ACCESS_KEY", "FRONT_DOOR_KEY"] },
    ]);
  });

  it("keeps CORS on the 503, so a page that registers can read why", async () => {
    const { call } = setup({ vars: { FRONT_DOOR_KEY: "" } });
    const response = await call("/register", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:6274" },
      body: JSON.stringify(INSPECTOR),
    });
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    await expectMissingSecret(response, "FRONT_DOOR_KEY is not set");
  });

  it("serves as usual once the secrets are set", async () => {
    const { register } = setup();
    expect((await register(INSPECTOR)).status).toBe(201);
  });
});
