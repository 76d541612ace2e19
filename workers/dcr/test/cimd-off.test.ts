import { describe, expect, it } from "vitest";
import { expectOAuthError, setup } from "./support";

const CIMD_URL = "https://app.example.com/client.json";

describe("CIMD_ENABLED=false: Client ID Metadata Documents are not accepted", () => {
  it("the metadata says so, /authorize refuses a URL client_id without fetching it, /token does not know it", async () => {
    const { call, cognito } = setup({ vars: { CIMD_ENABLED: "false" } });
    const metadata = (await (await call("/.well-known/oauth-authorization-server")).json()) as {
      client_id_metadata_document_supported: boolean;
    };
    expect(metadata.client_id_metadata_document_supported).toBe(false);

    const query = new URLSearchParams({
      response_type: "code",
      client_id: CIMD_URL,
      redirect_uri: "https://app.example.com/cb",
      code_challenge: "a".repeat(43),
      code_challenge_method: "S256",
    });
    const page = await call(`/authorize?${query}`);
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain(
      "This server does not accept Client ID Metadata Documents; register the client instead.",
    );
    expect(cognito.calls).toEqual([]);

    await expectOAuthError(
      await call("/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: "x",
          client_id: CIMD_URL,
        }).toString(),
      }),
      401,
      "invalid_client",
    );
  });

  it("is on by default", async () => {
    const { call } = setup();
    const metadata = (await (await call("/.well-known/oauth-authorization-server")).json()) as {
      client_id_metadata_document_supported: boolean;
    };
    expect(metadata.client_id_metadata_document_supported).toBe(true);
  });
});
