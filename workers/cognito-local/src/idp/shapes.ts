import type { IntegerShape, ListShape, StringShape, StructureShape } from "./input";

// Request shapes of the operations the stand-in serves, copied from Cognito's service model
// (botocore cognito-idp 2016-04-18, as of botocore 1.43): lengths, patterns, ranges, enums.

const USER_POOL_ID: StringShape = {
  type: "string",
  min: 1,
  max: 55,
  pattern: "[\\w-]+_[0-9a-zA-Z]+",
};
const CLIENT_ID: StringShape = { type: "string", min: 1, max: 128, pattern: "[\\w+]+" };
const CLIENT_NAME: StringShape = { type: "string", min: 1, max: 128, pattern: "[\\w\\s+=,.@-]+" };
const CLIENT_SECRET: StringShape = {
  type: "string",
  min: 24,
  max: 64,
  pattern: "[\\w+]+",
  redacted: true,
};
const REDIRECT_URL: StringShape = {
  type: "string",
  min: 1,
  max: 1024,
  pattern: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
};
const TIME_UNIT: StringShape = { type: "string", enum: ["seconds", "minutes", "hours", "days"] };
const USERNAME: StringShape = {
  type: "string",
  min: 1,
  max: 128,
  pattern: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
  redacted: true,
};
const PASSWORD: StringShape = { type: "string", max: 256, pattern: "[\\S]+", redacted: true };
const BOOLEAN = { type: "boolean" } as const;

/** `ExplicitAuthFlows` values; the first three are the legacy ones. */
export const EXPLICIT_AUTH_FLOWS = [
  "ADMIN_NO_SRP_AUTH",
  "CUSTOM_AUTH_FLOW_ONLY",
  "USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_CUSTOM_AUTH",
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
  "ALLOW_USER_AUTH",
] as const;

const URL_LIST: ListShape = { type: "list", member: REDIRECT_URL, min: 0, max: 100 };
const PERMISSION_LIST: ListShape = {
  type: "list",
  member: { type: "string", min: 1, max: 2048 },
};
const REFRESH_TOKEN_VALIDITY: IntegerShape = { type: "integer", min: 0, max: 315_360_000 };
const TOKEN_VALIDITY: IntegerShape = { type: "integer", min: 1, max: 86_400 };

/** Members of the app-client configuration that Create and Update share. */
const CLIENT_SETTINGS: StructureShape["members"] = {
  RefreshTokenValidity: REFRESH_TOKEN_VALIDITY,
  AccessTokenValidity: TOKEN_VALIDITY,
  IdTokenValidity: TOKEN_VALIDITY,
  TokenValidityUnits: {
    type: "structure",
    members: { AccessToken: TIME_UNIT, IdToken: TIME_UNIT, RefreshToken: TIME_UNIT },
  },
  ReadAttributes: PERMISSION_LIST,
  WriteAttributes: PERMISSION_LIST,
  ExplicitAuthFlows: {
    type: "list",
    member: { type: "string", enum: EXPLICIT_AUTH_FLOWS },
  },
  SupportedIdentityProviders: {
    type: "list",
    member: { type: "string", min: 1, max: 32, pattern: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\p{Z}]+" },
  },
  CallbackURLs: URL_LIST,
  LogoutURLs: URL_LIST,
  DefaultRedirectURI: REDIRECT_URL,
  AllowedOAuthFlows: {
    type: "list",
    member: { type: "string", enum: ["code", "implicit", "client_credentials"] },
    min: 0,
    max: 3,
  },
  AllowedOAuthScopes: {
    type: "list",
    member: { type: "string", min: 1, max: 256, pattern: "[\\x21\\x23-\\x5B\\x5D-\\x7E]+" },
    max: 50,
  },
  AllowedOAuthFlowsUserPoolClient: BOOLEAN,
  PreventUserExistenceErrors: { type: "string", enum: ["LEGACY", "ENABLED"] },
  EnableTokenRevocation: BOOLEAN,
  EnablePropagateAdditionalUserContextData: BOOLEAN,
  AuthSessionValidity: { type: "integer", min: 3, max: 15 },
  RefreshTokenRotation: {
    type: "structure",
    members: {
      Feature: { type: "string", enum: ["ENABLED", "DISABLED"] },
      RetryGracePeriodSeconds: { type: "integer", min: 0, max: 60 },
    },
    required: ["Feature"],
  },
};

/** `CreateUserPoolClientRequest`. */
export const CREATE_USER_POOL_CLIENT: StructureShape = {
  type: "structure",
  members: {
    UserPoolId: USER_POOL_ID,
    ClientName: CLIENT_NAME,
    GenerateSecret: BOOLEAN,
    ClientSecret: CLIENT_SECRET,
    ...CLIENT_SETTINGS,
  },
  required: ["UserPoolId", "ClientName"],
};

/** `UpdateUserPoolClientRequest`. It has no `GenerateSecret`: like any unknown member, it is ignored. */
export const UPDATE_USER_POOL_CLIENT: StructureShape = {
  type: "structure",
  members: {
    UserPoolId: USER_POOL_ID,
    ClientId: CLIENT_ID,
    ClientName: CLIENT_NAME,
    ...CLIENT_SETTINGS,
  },
  required: ["UserPoolId", "ClientId"],
};

/** `DescribeUserPoolClientRequest` and `DeleteUserPoolClientRequest`. */
export const USER_POOL_CLIENT_REF: StructureShape = {
  type: "structure",
  members: { UserPoolId: USER_POOL_ID, ClientId: CLIENT_ID },
  required: ["UserPoolId", "ClientId"],
};

/** `ListUserPoolClientsRequest`. */
export const LIST_USER_POOL_CLIENTS: StructureShape = {
  type: "structure",
  members: {
    UserPoolId: USER_POOL_ID,
    MaxResults: { type: "integer", min: 1, max: 60 },
    NextToken: { type: "string", min: 1, max: 131_072, pattern: "[\\S]+" },
  },
  required: ["UserPoolId"],
};

/** `DescribeUserPoolRequest`. */
export const DESCRIBE_USER_POOL: StructureShape = {
  type: "structure",
  members: { UserPoolId: USER_POOL_ID },
  required: ["UserPoolId"],
};

const ATTRIBUTE_LIST: ListShape = {
  type: "list",
  member: {
    type: "structure",
    members: {
      Name: {
        type: "string",
        min: 1,
        max: 32,
        pattern: "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+",
      },
      Value: { type: "string", max: 2048, redacted: true },
    },
    required: ["Name"],
  },
};

/** `AdminCreateUserRequest`. */
export const ADMIN_CREATE_USER: StructureShape = {
  type: "structure",
  members: {
    UserPoolId: USER_POOL_ID,
    Username: USERNAME,
    UserAttributes: ATTRIBUTE_LIST,
    ValidationData: ATTRIBUTE_LIST,
    TemporaryPassword: PASSWORD,
    ForceAliasCreation: BOOLEAN,
    MessageAction: { type: "string", enum: ["RESEND", "SUPPRESS"] },
    DesiredDeliveryMediums: { type: "list", member: { type: "string", enum: ["SMS", "EMAIL"] } },
    ClientMetadata: { type: "map", value: { type: "string" } },
  },
  required: ["UserPoolId", "Username"],
};

/** `AdminSetUserPasswordRequest`. */
export const ADMIN_SET_USER_PASSWORD: StructureShape = {
  type: "structure",
  members: { UserPoolId: USER_POOL_ID, Username: USERNAME, Password: PASSWORD, Permanent: BOOLEAN },
  required: ["UserPoolId", "Username", "Password"],
};

/** `AdminDeleteUserRequest`. */
export const ADMIN_DELETE_USER: StructureShape = {
  type: "structure",
  members: { UserPoolId: USER_POOL_ID, Username: USERNAME },
  required: ["UserPoolId", "Username"],
};
