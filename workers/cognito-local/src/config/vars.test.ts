import { describe, expect, it } from "vitest";
import { type ConfigEnv, readConfig } from "./vars";

const ENV: ConfigEnv = {
  PUBLIC_ORIGIN: "http://localhost:9229",
  LOGIN_ORIGIN: "http://127.0.0.1:9229",
  AWS_REGION: "us-east-1",
  USER_POOL_ID: "us-east-1_LocalDev01",
  LOCAL_ACCESS_KEY_ID: "AKIALOCALDEVELOPMENT",
  LOCAL_SECRET_ACCESS_KEY: "localDevelopmentSecretAccessKey000000001",
  STATIC_CLIENT_ID: "localstaticclient000000001",
  STATIC_CLIENT_SECRET: "secret",
  DEMO_USERNAME: "demo",
  DEMO_PASSWORD: "Demo-Passw0rd!",
  DEMO_EMAIL: "demo@example.com",
  APP_CLIENT_QUOTA: "1000",
  API_RATE_LIMIT_PER_SECOND: "5",
};

describe("the stand-in's two origins, as Cognito's two hosts", () => {
  it("reads the IdP origin (issuer under it) and the managed-login origin", () => {
    const config = readConfig({ ...ENV, LOGIN_ORIGIN: "http://127.0.0.1:9229/" });
    expect(config).toMatchObject({
      publicOrigin: "http://localhost:9229",
      loginOrigin: "http://127.0.0.1:9229",
      issuer: "http://localhost:9229/us-east-1_LocalDev01",
    });
  });

  it.each([
    ["the same origin", "http://localhost:9229"],
    ["the same host over https", "https://localhost:9229"],
  ])("refuses a managed-login origin on the issuer's host: %s", (_, login) => {
    expect(() => readConfig({ ...ENV, LOGIN_ORIGIN: login })).toThrow(
      /LOGIN_ORIGIN must name another host than PUBLIC_ORIGIN/,
    );
  });
});
