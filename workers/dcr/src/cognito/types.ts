/** The app-client settings this facade sends to Create/UpdateUserPoolClient. */
export interface CognitoClientConfig {
  ClientName: string;
  CallbackURLs: string[];
  AllowedOAuthFlows: ("code" | "client_credentials")[];
  AllowedOAuthScopes: string[];
  AllowedOAuthFlowsUserPoolClient: true;
  SupportedIdentityProviders: string[];
  ExplicitAuthFlows: string[];
  PreventUserExistenceErrors: "ENABLED";
  EnableTokenRevocation: true;
  RefreshTokenRotation?: { Feature: "ENABLED" | "DISABLED"; RetryGracePeriodSeconds: number };
  AccessTokenValidity: number;
  TokenValidityUnits: { AccessToken: "minutes" };
}

/** The part of a Cognito `UserPoolClient` the facade reads. */
export interface UserPoolClient {
  ClientId: string;
  ClientName: string;
  ClientSecret?: string;
  /** Epoch seconds. */
  CreationDate?: number;
}

/** One entry of ListUserPoolClients. */
export interface UserPoolClientSummary {
  ClientId: string;
  ClientName: string;
}
