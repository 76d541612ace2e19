import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserRecord } from "../src/store/records";
import {
  call,
  expectCognitoError,
  expectOk,
  POOL_ID,
  setLocalSettings,
  UUID,
  uniqueName,
} from "./idp-helpers";

beforeAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 0, clockOffsetMs: 0 });
});

afterAll(async () => {
  await setLocalSettings({ rateLimitPerSecond: 5 });
});

/** The user as the pool stores it, read inside the Durable Object. */
function storedUser(username: string): Promise<UserRecord | undefined> {
  const stub = env.POOL.getByName(env.USER_POOL_ID);
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.kv.get<UserRecord>(`user:${username.toLowerCase()}`),
  );
}

const TEMPORARY = "Temp-Passw0rd!";
const PERMANENT = "Final-Passw0rd!";

describe("DescribeUserPool", () => {
  it("describes the pool of infra/cognito.yaml", async () => {
    const before = expectOk(
      await call<{ UserPool: Record<string, unknown> }>("DescribeUserPool", {
        UserPoolId: POOL_ID,
      }),
    );
    expect(before.UserPool).toEqual({
      Id: POOL_ID,
      Name: "mcp-cognito-workers",
      Policies: {
        PasswordPolicy: {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
      },
      LambdaConfig: {},
      LastModifiedDate: expect.any(Number),
      CreationDate: expect.any(Number),
      MfaConfiguration: "OFF",
      EstimatedNumberOfUsers: expect.any(Number),
      Domain: expect.stringMatching(/^[a-z0-9-]+$/),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameConfiguration: { CaseSensitive: false },
      Arn: `arn:aws:cognito-idp:${env.AWS_REGION}:000000000000:userpool/${POOL_ID}`,
      UserPoolTier: "ESSENTIALS",
    });
    await call("AdminCreateUser", {
      UserPoolId: POOL_ID,
      Username: uniqueName("count"),
      MessageAction: "SUPPRESS",
    });
    const after = expectOk(
      await call<{ UserPool: Record<string, unknown> }>("DescribeUserPool", {
        UserPoolId: POOL_ID,
      }),
    );
    expect(after.UserPool.EstimatedNumberOfUsers).toBe(
      (before.UserPool.EstimatedNumberOfUsers as number) + 1,
    );
  });
});

describe("AdminCreateUser", () => {
  it("creates a user in FORCE_CHANGE_PASSWORD and answers Cognito's UserType", async () => {
    const username = uniqueName("alice");
    const before = Date.now() / 1000;
    const answer = await call<{ User: Record<string, unknown> }>("AdminCreateUser", {
      UserPoolId: POOL_ID,
      Username: username,
      UserAttributes: [
        { Name: "email", Value: `${username}@example.com` },
        { Name: "email_verified", Value: "true" },
      ],
      TemporaryPassword: TEMPORARY,
      MessageAction: "SUPPRESS",
    });
    const { User } = expectOk(answer);
    expect(User).toEqual({
      Username: username,
      Attributes: [
        { Name: "sub", Value: expect.stringMatching(UUID) },
        { Name: "email", Value: `${username}@example.com` },
        { Name: "email_verified", Value: "true" },
      ],
      UserCreateDate: expect.any(Number),
      UserLastModifiedDate: User.UserCreateDate,
      Enabled: true,
      UserStatus: "FORCE_CHANGE_PASSWORD",
    });
    expect(User.UserCreateDate as number).toBeGreaterThanOrEqual(Math.floor(before));
    const stored = await storedUser(username);
    expect(stored?.status).toBe("FORCE_CHANGE_PASSWORD");
    expect(stored?.passwordHash).toMatch(/^pbkdf2-sha256\$/);
    expect(JSON.stringify(stored)).not.toContain(TEMPORARY);
  });

  it("UsernameExistsException for a username taken, whatever its case", async () => {
    const username = uniqueName("bob");
    expectOk(await call("AdminCreateUser", { UserPoolId: POOL_ID, Username: username }));
    for (const again of [username, username.toUpperCase()]) {
      expectCognitoError(
        await call("AdminCreateUser", { UserPoolId: POOL_ID, Username: again }),
        "UsernameExistsException",
        "User account already exists",
      );
    }
  });

  it("InvalidPasswordException for a temporary password the policy refuses", async () => {
    expectCognitoError(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: uniqueName("c"),
        TemporaryPassword: "Sh0rt!",
      }),
      "InvalidPasswordException",
      "Password did not conform with policy: Password not long enough",
    );
    expectCognitoError(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: uniqueName("c"),
        TemporaryPassword: "longenough1!",
      }),
      "InvalidPasswordException",
      "Password did not conform with policy: Password must have uppercase characters",
    );
  });

  it("InvalidParameterException for an attribute the schema does not have", async () => {
    expectCognitoError(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: uniqueName("d"),
        UserAttributes: [{ Name: "custom:tier", Value: "gold" }],
      }),
      "InvalidParameterException",
      "Attributes did not conform to the schema: custom:tier: Attribute does not exist in the schema.\n",
    );
  });

  it("leaves the username and password out of validation messages", async () => {
    expectCognitoError(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: "has space",
        TemporaryPassword: "a b",
      }),
      "InvalidParameterException",
      "2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+; " +
        "Value at 'temporaryPassword' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+",
    );
  });

  it("checks MessageAction and attribute names", async () => {
    expectCognitoError(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: uniqueName("e"),
        MessageAction: "EMAIL",
        UserAttributes: [{ Value: "x" }],
      }),
      "InvalidParameterException",
      "2 validation errors detected: Value null at 'userAttributes.1.member.name' failed to satisfy constraint: Member must not be null; " +
        "Value 'EMAIL' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]",
    );
  });

  it("RESEND resets the temporary password of an existing user, and needs the user", async () => {
    const username = uniqueName("f");
    expectOk(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: username,
        TemporaryPassword: TEMPORARY,
      }),
    );
    const first = (await storedUser(username))?.passwordHash;
    const answer = await call<{ User: { Username: string; UserStatus: string } }>(
      "AdminCreateUser",
      {
        UserPoolId: POOL_ID,
        Username: username,
        TemporaryPassword: "Other-Passw0rd!",
        MessageAction: "RESEND",
      },
    );
    expect(expectOk(answer).User).toMatchObject({
      Username: username,
      UserStatus: "FORCE_CHANGE_PASSWORD",
    });
    expect((await storedUser(username))?.passwordHash).not.toBe(first);
    expectCognitoError(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: uniqueName("nobody"),
        MessageAction: "RESEND",
      }),
      "UserNotFoundException",
      "User does not exist.",
    );
  });
});

describe("AdminSetUserPassword", () => {
  it("Permanent: true sets the password and confirms the user; answers {}", async () => {
    const username = uniqueName("g");
    expectOk(
      await call("AdminCreateUser", {
        UserPoolId: POOL_ID,
        Username: username,
        TemporaryPassword: TEMPORARY,
      }),
    );
    const answer = await call("AdminSetUserPassword", {
      UserPoolId: POOL_ID,
      Username: username,
      Password: PERMANENT,
      Permanent: true,
    });
    expect(expectOk(answer)).toEqual({});
    const stored = await storedUser(username);
    expect(stored?.status).toBe("CONFIRMED");
    expect(stored?.updatedAt).toBeGreaterThanOrEqual(stored?.createdAt as number);
  });

  it("without Permanent the password is temporary: FORCE_CHANGE_PASSWORD", async () => {
    const username = uniqueName("h");
    expectOk(await call("AdminCreateUser", { UserPoolId: POOL_ID, Username: username }));
    expectOk(
      await call("AdminSetUserPassword", {
        UserPoolId: POOL_ID,
        Username: username,
        Password: PERMANENT,
        Permanent: true,
      }),
    );
    expectOk(
      await call("AdminSetUserPassword", {
        UserPoolId: POOL_ID,
        Username: username,
        Password: TEMPORARY,
      }),
    );
    expect((await storedUser(username))?.status).toBe("FORCE_CHANGE_PASSWORD");
  });

  it("UserNotFoundException for an unknown user; InvalidPasswordException for a weak password", async () => {
    expectCognitoError(
      await call("AdminSetUserPassword", {
        UserPoolId: POOL_ID,
        Username: uniqueName("nobody"),
        Password: PERMANENT,
      }),
      "UserNotFoundException",
      "User does not exist.",
    );
    const username = uniqueName("i");
    expectOk(await call("AdminCreateUser", { UserPoolId: POOL_ID, Username: username }));
    expectCognitoError(
      await call("AdminSetUserPassword", {
        UserPoolId: POOL_ID,
        Username: username,
        Password: "nouppercase1!",
      }),
      "InvalidPasswordException",
      "Password did not conform with policy: Password must have uppercase characters",
    );
  });

  it("Password is required", async () => {
    expectCognitoError(
      await call("AdminSetUserPassword", { UserPoolId: POOL_ID, Username: "someone" }),
      "InvalidParameterException",
      "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe("AdminDeleteUser", () => {
  it("deletes the user and answers {}; UserNotFoundException the second time", async () => {
    const username = uniqueName("j");
    expectOk(await call("AdminCreateUser", { UserPoolId: POOL_ID, Username: username }));
    expect(
      expectOk(
        await call("AdminDeleteUser", { UserPoolId: POOL_ID, Username: username.toUpperCase() }),
      ),
    ).toEqual({});
    expect(await storedUser(username)).toBeUndefined();
    expectCognitoError(
      await call("AdminDeleteUser", { UserPoolId: POOL_ID, Username: username }),
      "UserNotFoundException",
      "User does not exist.",
    );
  });
});
