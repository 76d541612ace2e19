import { hasMotoServer, startMotoServer } from "@mcp-cognito-workers/test-support/moto";
import { requireTool } from "@mcp-cognito-workers/test-support/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CognitoError, callCognito } from "../src/cognito/client";
import {
  type CognitoPoolOptions,
  createUserPoolClient,
  deleteUserPoolClient,
  describeUserPoolClient,
  listUserPoolClients,
  updateUserPoolClient,
} from "../src/cognito/operations";
import { startDcr } from "./local-stack";

const haveMoto = requireTool("moto_server", hasMotoServer, "pip install 'moto[server]'");
const CONFIG = {
  ClientName: "dcr-moto",
  CallbackURLs: ["https://app.example.com/cb"],
  AllowedOAuthFlows: ["code" as const],
  AllowedOAuthScopes: ["openid"],
  AllowedOAuthFlowsUserPoolClient: true as const,
  SupportedIdentityProviders: ["COGNITO"],
  ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
  PreventUserExistenceErrors: "ENABLED" as const,
  EnableTokenRevocation: true as const,
  AccessTokenValidity: 15,
  TokenValidityUnits: { AccessToken: "minutes" as const },
};

describe.skipIf(!haveMoto)(
  "the Cognito client module against moto_server (code nobody here wrote)",
  () => {
    let moto: Awaited<ReturnType<typeof startMotoServer>>;
    let options: CognitoPoolOptions;

    beforeAll(async () => {
      moto = await startMotoServer();
      const base = {
        endpoint: `${moto.origin}/`,
        region: "us-east-1",
        accessKeyId: "AKIAMOTOTESTING00001",
        secretAccessKey: "motoTestingSecretAccessKey0000000000001",
      };
      const pool = (await callCognito("CreateUserPool", { PoolName: "dcr-wire" }, base)) as {
        UserPool: { Id: string };
      };
      options = { ...base, userPoolId: pool.UserPool.Id };
    });

    afterAll(async () => {
      await moto?.stop();
    });

    it("binds to loopback only", () => {
      expect(new URL(moto.origin).hostname).toBe("127.0.0.1");
    });

    it("creates, describes, updates (full config), lists and deletes an app client", async () => {
      const created = await createUserPoolClient(CONFIG, true, options);
      expect(created.ClientId).toMatch(/^[a-z0-9]+$/);
      expect(created.ClientSecret).toBeTruthy();
      // moto omits CreationDate (Cognito sends it): the parser must not require it.
      expect(created.CreationDate).toBeUndefined();

      const described = await describeUserPoolClient(created.ClientId, options);
      expect(described).toMatchObject({
        ClientId: created.ClientId,
        ClientSecret: created.ClientSecret,
      });

      const updated = await updateUserPoolClient(
        created.ClientId,
        { ...CONFIG, ClientName: "dcr-moto-renamed", AllowedOAuthScopes: ["openid", "email"] },
        options,
      );
      expect(updated).toMatchObject({ ClientId: created.ClientId, ClientName: "dcr-moto-renamed" });

      const listed = await listUserPoolClients(undefined, options);
      expect(listed.clients).toContainEqual({
        ClientId: created.ClientId,
        ClientName: "dcr-moto-renamed",
      });

      await deleteUserPoolClient(created.ClientId, options);
      // Deleting again counts as deleted.
      await deleteUserPoolClient(created.ClientId, options);
    });

    it("pages ListUserPoolClients with NextToken", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await createUserPoolClient(CONFIG, false, options)).ClientId);
      const seen = new Set<string>();
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await listUserPoolClients(token, { ...options });
        for (const client of page.clients) seen.add(client.ClientId);
        token = page.nextToken;
        pages++;
      } while (token && pages < 10);
      for (const id of ids) expect(seen.has(id)).toBe(true);
    });

    it("parses an error's __type", async () => {
      const error = await describeUserPoolClient("doesnotexist", options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CognitoError);
      expect((error as CognitoError).type).toBe("ResourceNotFoundException");
    });

    it("workers/dcr registers with moto behind it and calls it not at all", async () => {
      const before = await listUserPoolClients(undefined, options);
      const dcr = await startDcr({
        vars: {
          ISSUER: "",
          COGNITO_IDP_ENDPOINT: `${moto.origin}/`,
          COGNITO_USER_POOL_ID: options.userPoolId,
          COGNITO_ACCESS_KEY_ID: options.accessKeyId,
          COGNITO_SECRET_ACCESS_KEY: options.secretAccessKey,
        },
      });
      try {
        const response = await fetch(`${dcr.origin}/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            redirect_uris: ["http://localhost:6274/oauth/callback"],
            client_name: "Inspector",
            token_endpoint_auth_method: "client_secret_post",
          }),
        });
        expect(response.status).toBe(201);
        const body = (await response.json()) as { client_id: string; client_secret: string };
        expect(body.client_id).toMatch(/^dcr_/);
        expect(body.client_secret).toBeTruthy();
        expect(await listUserPoolClients(undefined, options)).toEqual(before);
      } finally {
        await dcr.dispose();
      }
    });
  },
);
