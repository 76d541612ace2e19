// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation !Sub strings are written with ${}.
import { describe, expect, it } from "vitest";
import { isMap, isScalar, parseDocument, visit } from "yaml";
import templateText from "../../../../infra/cognito.yaml";
import { SUPPORTED_INTRINSICS } from "./cloudformation/tree";
import { LOCAL_STACK_UUID, loadPoolTemplate, type TemplateContext } from "./load-template";

const CONTEXT: TemplateContext = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_Test0001",
  issuer: "http://localhost:9229/eu-west-1_Test0001",
  staticClientId: "testclient0000000000000001",
  staticClientSecret: "test-client-secret",
};

function load(text: string, context: Partial<TemplateContext> = {}) {
  return loadPoolTemplate(text, { ...CONTEXT, ...context });
}

/** Strips the common indentation, so that YAML can be written indented in the test. */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").trimEnd().split("\n");
  const margin = Math.min(
    ...lines.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length),
  );
  return lines.map((line) => line.slice(margin)).join("\n");
}

function indent(text: string, spaces: number): string {
  return dedent(text)
    .split("\n")
    .map((line) => " ".repeat(spaces) + line)
    .join("\n");
}

interface Parts {
  /** Top-level sections before Resources (Parameters, Conditions, Mappings). */
  head?: string;
  pool?: string;
  client?: string;
  /** Further resources, at the indentation of a logical id. */
  resources?: string;
}

/** A small template with one pool, domain and client, plus the given parts. */
function template({ head = "", pool = "", client = "", resources = "" }: Parts = {}): string {
  return [
    dedent(head),
    "Resources:",
    "  UserPool:",
    "    Type: AWS::Cognito::UserPool",
    "    Properties:",
    pool ? indent(pool, 6) : "      UserPoolName: test-pool",
    "  UserPoolDomain:",
    "    Type: AWS::Cognito::UserPoolDomain",
    "    Properties:",
    "      UserPoolId: !Ref UserPool",
    "      Domain: test-domain",
    "  StaticClient:",
    "    Type: AWS::Cognito::UserPoolClient",
    "    Properties:",
    "      UserPoolId: !Ref UserPool",
    "      ClientName: test-client",
    client ? indent(client, 6) : "",
    resources ? indent(resources, 2) : "",
  ].join("\n");
}

/** What a YAML value resolves to, read back through the client's `DefaultRedirectURI`. */
function probe(value: string, head = "", context: Partial<TemplateContext> = {}): unknown {
  return load(template({ head, client: `DefaultRedirectURI: ${value}` }), context).staticClient
    .DefaultRedirectURI;
}

/** Expects the value, put in the client's `DefaultRedirectURI`, to be refused with the message. */
function expectRefused(value: string, message: string, head = ""): void {
  expect(() => probe(value, head)).toThrow(
    new TypeError(
      `infra/cognito.yaml: Resources.StaticClient.Properties.DefaultRedirectURI: ${message}`,
    ),
  );
}

/** What a YAML list resolves to, read back through the client's `CallbackURLs`. */
function probeList(value: string, head = ""): unknown {
  return load(template({ head, client: `CallbackURLs: ${value}` })).staticClient.CallbackURLs;
}

/** Whether a condition expression holds (with PARAMETERS), read back through `!If`. */
function holds(expression: string): boolean {
  const head = [dedent(PARAMETERS), "Conditions:", `  Probe: ${expression}`].join("\n");
  return probe("!If [Probe, yes, no]", head) === "yes";
}

const PARAMETERS = `
  Parameters:
    Stage:
      Type: String
      Default: dev
    Hosts:
      Type: CommaDelimitedList
      Default: a.example, b.example,c.example
    Size:
      Type: Number
      Default: 3
`;

/** Every requirement on, at least 8 characters: Cognito's default, and infra/cognito.yaml's policy. */
const ALL_REQUIRED_POLICY = {
  minimumLength: 8,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 7,
};

describe("infra/cognito.yaml resolves to the local pool", () => {
  it("gives the pool, resource server and static client the template describes", () => {
    expect(load(templateText)).toEqual({
      userPoolName: "mcp-cognito-workers",
      featurePlan: "ESSENTIALS",
      usernameCaseSensitive: false,
      allowSelfSignUp: false,
      passwordPolicy: ALL_REQUIRED_POLICY,
      domainPrefix: `mcp-${LOCAL_STACK_UUID.split("-")[0]}`,
      resourceServers: [
        {
          identifier: "mcp-api",
          name: "MCP resource server",
          scopes: [
            { name: "read", description: "Read the MCP server's data" },
            { name: "write", description: "Create and delete the MCP server's data" },
          ],
        },
      ],
      staticClient: {
        ClientName: "mcp-static-client",
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "email", "profile", "mcp-api/read", "mcp-api/write"],
        CallbackURLs: ["http://localhost:3000/callback"],
        LogoutURLs: ["http://localhost:3000/"],
        SupportedIdentityProviders: ["COGNITO"],
        ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors: "ENABLED",
        EnableTokenRevocation: true,
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        RefreshTokenValidity: 30,
        TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days" },
      },
    });
  });

  it("makes the domain prefix from the fixed stack id, whatever the stack's name", () => {
    expect(load(templateText, { stackName: "other", accountId: "123456789012" }).domainPrefix).toBe(
      "mcp-00000000",
    );
  });

  it("gives the same result each time (no state between calls)", () => {
    expect(load(templateText)).toEqual(load(templateText));
  });
});

describe("Parameters: Default, overridden by context.parameters", () => {
  it("FeaturePlan=LITE sets the feature plan", () => {
    expect(load(templateText, { parameters: { FeaturePlan: "LITE" } }).featurePlan).toBe("LITE");
  });

  it("ResourceServerIdentifier=other renames the resource server, and the client's scopes follow", () => {
    const pool = load(templateText, { parameters: { ResourceServerIdentifier: "other" } });
    expect(pool.resourceServers.map((server) => server.identifier)).toEqual(["other"]);
    expect(pool.staticClient.AllowedOAuthScopes).toEqual([
      "openid",
      "email",
      "profile",
      "other/read",
      "other/write",
    ]);
  });

  it("AllowSelfSignUp=true turns on sign-up through the condition", () => {
    expect(load(templateText, { parameters: { AllowSelfSignUp: "true" } }).allowSelfSignUp).toBe(
      true,
    );
  });

  it("DomainPrefix replaces the prefix made from the stack id", () => {
    expect(load(templateText, { parameters: { DomainPrefix: "my-app" } }).domainPrefix).toBe(
      "my-app",
    );
  });

  it("a CommaDelimitedList is a list of space-trimmed strings", () => {
    const pool = load(templateText, {
      parameters: { StaticClientCallbackURLs: "http://a.test/cb, http://b.test/cb" },
    });
    expect(pool.staticClient.CallbackURLs).toEqual(["http://a.test/cb", "http://b.test/cb"]);
    expect(probeList("!Ref Hosts", PARAMETERS)).toEqual(["a.example", "b.example", "c.example"]);
  });

  it("a Number parameter is its text", () => {
    expect(probe('!Sub "${Size}"', PARAMETERS)).toBe("3");
    expect(probe("!Ref Size", PARAMETERS)).toBe("3");
  });

  it("a value outside AllowedValues is refused", () => {
    expect(() => load(templateText, { parameters: { FeaturePlan: "GOLD" } })).toThrow(
      new TypeError(
        'infra/cognito.yaml: Parameters.FeaturePlan: "GOLD" is not one of LITE, ESSENTIALS, PLUS',
      ),
    );
  });

  it("a value that does not match AllowedPattern is refused", () => {
    expect(() => load(templateText, { parameters: { DomainPrefix: "Bad_Prefix" } })).toThrow(
      new TypeError(
        'infra/cognito.yaml: Parameters.DomainPrefix: "Bad_Prefix" does not match AllowedPattern ^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$',
      ),
    );
  });

  it("MinLength, MaxLength and Number are checked", () => {
    expect(() => load(templateText, { parameters: { UserPoolName: "" } })).toThrow(
      new TypeError('infra/cognito.yaml: Parameters.UserPoolName: "" is shorter than MinLength 1'),
    );
    expect(() => load(template({ head: PARAMETERS }), { parameters: { Size: "big" } })).toThrow(
      new TypeError('infra/cognito.yaml: Parameters.Size: "big" is not a number'),
    );
  });

  it("a value for a parameter the template does not declare is refused", () => {
    expect(() => load(templateText, { parameters: { Nope: "x" } })).toThrow(
      new TypeError(
        'infra/cognito.yaml: Parameters: unknown parameter "Nope" in context.parameters',
      ),
    );
  });

  it("a parameter with neither Default nor value is refused", () => {
    const head = "Parameters:\n  Needed:\n    Type: String";
    expect(() => load(template({ head }))).toThrow(
      new TypeError(
        "infra/cognito.yaml: Parameters.Needed: has no Default and no value in context.parameters",
      ),
    );
    expect(probe("!Ref Needed", head, { parameters: { Needed: "given" } })).toBe("given");
  });
});

describe("pseudo parameters have local values", () => {
  it("with the default account and stack name", () => {
    expect(probe('!Sub "${AWS::Region} ${AWS::AccountId} ${AWS::StackName}"')).toBe(
      "eu-west-1 000000000000 mcp-cognito-workers-local",
    );
    expect(probe("!Ref AWS::StackId")).toBe(
      `arn:aws:cloudformation:eu-west-1:000000000000:stack/mcp-cognito-workers-local/${LOCAL_STACK_UUID}`,
    );
    expect(probe('!Sub "${AWS::Partition} ${AWS::URLSuffix}"')).toBe("aws amazonaws.com");
  });

  it("with the account and stack name given", () => {
    const context = { accountId: "123456789012", stackName: "mine" };
    expect(probe("!Ref AWS::StackId", "", context)).toBe(
      `arn:aws:cloudformation:eu-west-1:123456789012:stack/mine/${LOCAL_STACK_UUID}`,
    );
  });
});

describe("Fn::Ref and Fn::GetAtt of resources", () => {
  it("!Ref of the pool, the client, the domain and other resources", () => {
    const resources = "Other:\n  Type: AWS::SNS::Topic";
    const client =
      'DefaultRedirectURI: !Sub "${UserPool} ${StaticClient} ${UserPoolDomain} ${Other}"';
    expect(load(template({ client, resources })).staticClient.DefaultRedirectURI).toBe(
      "eu-west-1_Test0001 testclient0000000000000001 test-domain Other",
    );
  });

  it("!GetAtt of the pool: Arn, ProviderURL, ProviderName, UserPoolId", () => {
    expect(probe("!GetAtt UserPool.Arn")).toBe(
      "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_Test0001",
    );
    expect(probe("!GetAtt [UserPool, ProviderURL]")).toBe(CONTEXT.issuer);
    expect(probe("!GetAtt UserPool.ProviderName")).toBe("localhost:9229/eu-west-1_Test0001");
    expect(probe("!GetAtt UserPool.UserPoolId")).toBe(CONTEXT.userPoolId);
  });

  it("!GetAtt of the client: ClientSecret, ClientId", () => {
    expect(probe("!GetAtt StaticClient.ClientSecret")).toBe(CONTEXT.staticClientSecret);
    expect(probe("!GetAtt StaticClient.ClientId")).toBe(CONTEXT.staticClientId);
  });

  it("!GetAtt of an attribute with no local value is refused", () => {
    expectRefused(
      "!GetAtt UserPoolDomain.CloudFrontDistribution",
      "UserPoolDomain.CloudFrontDistribution has no local value in !GetAtt",
    );
  });
});

describe("Fn::Sub", () => {
  it("${Param} and ${AWS::Region}", () => {
    expect(probe('!Sub "https://${Stage}.${AWS::Region}.example"', PARAMETERS)).toBe(
      "https://dev.eu-west-1.example",
    );
  });

  it("${Resource.Attribute}", () => {
    expect(probe('!Sub "${UserPool.ProviderURL}/.well-known/jwks.json"')).toBe(
      `${CONTEXT.issuer}/.well-known/jwks.json`,
    );
  });

  it("${!Literal} is the literal ${Literal}", () => {
    expect(probe('!Sub "${!Stage}-${Stage}"', PARAMETERS)).toBe("${Stage}-dev");
  });

  it("variables given with the string come first", () => {
    expect(
      probe('!Sub ["${Stage}-${Host}", {Stage: prod, Host: !Select [1, !Ref Hosts]}]', PARAMETERS),
    ).toBe("prod-b.example");
  });

  it("a list cannot be put in a string", () => {
    expectRefused('!Sub "${Hosts}"', "!Sub needs a string, not a list", PARAMETERS);
  });
});

describe("Fn::Join, Fn::Select, Fn::Split", () => {
  it("!Join joins a list, literal or from a parameter", () => {
    expect(probe('!Join ["-", [a, !Ref Stage, 3]]', PARAMETERS)).toBe("a-dev-3");
    expect(probe('!Join [";", !Ref Hosts]', PARAMETERS)).toBe("a.example;b.example;c.example");
  });

  it("!Select picks from a list made by !Split", () => {
    expect(probe('!Select [2, !Split ["/", "a/b/c/d"]]')).toBe("c");
    expect(probe('!Select ["0", !Split [".", !Select [1, !Ref Hosts]]]', PARAMETERS)).toBe("b");
  });

  it("!Select out of range is refused", () => {
    expectRefused("!Select [3, [a, b]]", "index 3 is out of range in !Select");
  });
});

describe("Conditions: Fn::If, Fn::Equals, Fn::Not", () => {
  it.each([
    ["!Equals [a, a]", true],
    ["!Equals [a, b]", false],
    ["!Equals [!Ref Stage, dev]", true],
    ["!Equals [!Ref Size, 3]", true],
    ['!Equals [true, "true"]', true],
    ["!Not [!Equals [!Ref Stage, dev]]", false],
  ])("%s is %s", (expression, expected) => {
    expect(holds(expression)).toBe(expected);
  });

  it("!If picks the branch of its condition", () => {
    const head = "Conditions:\n  Yes: !Equals [1, 1]";
    expect(probe("!If [Yes, picked, other]", head)).toBe("picked");
    expect(probe("!If [Yes, !Ref AWS::Region, !Ref Unknown]", head)).toBe("eu-west-1");
  });

  it("condition functions outside Conditions are refused", () => {
    expectRefused("!Equals [a, a]", "!Equals may be used only in Conditions");
  });

  it("an unknown condition is refused", () => {
    expectRefused("!If [Missing, a, b]", 'unknown condition "Missing" in !If');
  });
});

describe("long forms ({Ref}, {Fn::*}) mean what the short forms mean", () => {
  const json = JSON.stringify({
    Parameters: {
      Stage: { Type: "String", Default: "dev" },
      Hosts: { Type: "CommaDelimitedList", Default: "a,b" },
    },
    Conditions: {
      IsDev: { "Fn::Equals": [{ Ref: "Stage" }, "dev"] },
      Both: { "Fn::Not": [{ "Fn::Not": [{ "Fn::Equals": [{ Ref: "Stage" }, "dev"] }] }] },
    },
    Resources: {
      Pool: {
        Type: "AWS::Cognito::UserPool",
        Properties: { UserPoolName: { "Fn::Sub": "pool-${Stage}" } },
      },
      Domain: {
        Type: "AWS::Cognito::UserPoolDomain",
        Properties: {
          UserPoolId: { Ref: "Pool" },
          Domain: { "Fn::Join": ["-", ["d", { Ref: "Stage" }]] },
        },
      },
      Client: {
        Type: "AWS::Cognito::UserPoolClient",
        Properties: {
          UserPoolId: { Ref: "Pool" },
          ClientName: { "Fn::If": ["Both", "both", "not-both"] },
          CallbackURLs: [
            {
              "Fn::Sub": ["https://${Host}/cb", { Host: { "Fn::Select": [1, { Ref: "Hosts" }] } }],
            },
            {
              "Fn::Select": [
                0,
                { "Fn::Split": ["|", { "Fn::Sub": "${Pool.ProviderURL}|${AWS::Region}" }] },
              ],
            },
          ],
          DefaultRedirectURI: { "Fn::GetAtt": ["Pool", "Arn"] },
        },
      },
    },
  });

  it("a JSON template with long forms resolves", () => {
    const pool = load(json);
    expect(pool.userPoolName).toBe("pool-dev");
    expect(pool.domainPrefix).toBe("d-dev");
    expect(pool.staticClient).toEqual({
      ClientName: "both",
      CallbackURLs: ["https://b/cb", CONTEXT.issuer],
      DefaultRedirectURI: "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_Test0001",
    });
  });

  it("a long-form function that does not exist is refused", () => {
    expectRefused('{"Fn::Frobnicate": x}', 'unknown intrinsic function "Fn::Frobnicate"');
  });
});

describe("resources whose Condition is false are skipped", () => {
  const head = "Conditions:\n  Never: !Equals [a, b]\n  Always: !Equals [a, a]";

  it("a second client, pool or domain under a false condition is left out", () => {
    const resources = dedent(`
      OtherClient:
        Type: AWS::Cognito::UserPoolClient
        Condition: Never
        Properties:
          UserPoolId: !Ref UserPool
          ClientName: other
      OtherPool:
        Type: AWS::Cognito::UserPool
        Condition: Never
      KeptTopic:
        Type: AWS::SNS::Topic
        Condition: Always
    `);
    const pool = load(template({ head, resources }));
    expect(pool.staticClient.ClientName).toBe("test-client");
    expect(pool.userPoolName).toBe("test-pool");
  });

  it("a resource server under a false condition has no scopes in the pool", () => {
    const resources = dedent(`
      Kept:
        Type: AWS::Cognito::UserPoolResourceServer
        Condition: Always
        Properties: {UserPoolId: !Ref UserPool, Identifier: kept, Name: Kept}
      Dropped:
        Type: AWS::Cognito::UserPoolResourceServer
        Condition: Never
        Properties: {UserPoolId: !Ref UserPool, Identifier: dropped, Name: Dropped}
    `);
    expect(load(template({ head, resources })).resourceServers).toEqual([
      { identifier: "kept", name: "Kept", scopes: [] },
    ]);
  });

  it("a !Ref to a left-out resource is refused", () => {
    const resources = "Gone:\n  Type: AWS::SNS::Topic\n  Condition: Never";
    expect(() =>
      load(template({ head, resources, client: "DefaultRedirectURI: !Ref Gone" })),
    ).toThrow(
      new TypeError(
        "infra/cognito.yaml: Resources.StaticClient.Properties.DefaultRedirectURI: !Ref of Gone, which condition Never leaves out",
      ),
    );
  });
});

describe("Cognito's defaults for what the template leaves out", () => {
  it("a pool with no properties", () => {
    const pool = load(template({ pool: "{}" }));
    expect(pool).toMatchObject({
      userPoolName: "UserPool",
      featurePlan: "ESSENTIALS",
      usernameCaseSensitive: true,
      allowSelfSignUp: true,
      passwordPolicy: ALL_REQUIRED_POLICY,
      resourceServers: [],
    });
  });

  it("a password policy names only the requirements it has", () => {
    const pool = load(
      template({
        pool: `
          Policies:
            PasswordPolicy:
              MinimumLength: "12"
              RequireSymbols: "true"
        `,
      }),
    );
    expect(pool.passwordPolicy).toEqual({
      minimumLength: 12,
      requireLowercase: false,
      requireUppercase: false,
      requireNumbers: false,
      requireSymbols: true,
      temporaryPasswordValidityDays: 7,
    });
  });

  it("pool properties the stand-in does not read need no local value", () => {
    const pool = template({ pool: "LambdaConfig: {PreSignUp: !GetAtt SignUpHook.Arn}" });
    const resources = "SignUpHook:\n  Type: AWS::Lambda::Function";
    expect(load(`${pool}\n${indent(resources, 2)}`).userPoolName).toBe("UserPool");
  });

  it("a client with no ClientName is named after its logical id", () => {
    const text = template().replace("      ClientName: test-client\n", "");
    expect(load(text).staticClient).toEqual({ ClientName: "StaticClient" });
  });
});

describe("a template the stand-in cannot understand throws a TypeError naming the place", () => {
  const cases: [string, string, string][] = [
    [
      "an unknown parameter in !Sub",
      templateText.replace("${ResourceServerIdentifier}/read", "${X}/read"),
      'Resources.StaticClient.Properties.AllowedOAuthScopes[3]: unknown parameter "X" in !Sub',
    ],
    [
      "an unknown name in !Ref",
      template({ client: "DefaultRedirectURI: !Ref Nowhere" }),
      'Resources.StaticClient.Properties.DefaultRedirectURI: unknown parameter "Nowhere" in !Ref',
    ],
    [
      "an unknown resource in !GetAtt",
      template({ client: "DefaultRedirectURI: !GetAtt Nowhere.Arn" }),
      'Resources.StaticClient.Properties.DefaultRedirectURI: unknown resource "Nowhere" in !GetAtt',
    ],
    [
      "an unknown tag",
      template({ client: "DefaultRedirectURI: !Frobnicate x" }),
      'Resources.StaticClient.Properties.DefaultRedirectURI: unknown tag "!Frobnicate"',
    ],
    [
      "an intrinsic with no local meaning",
      template({ client: "DefaultRedirectURI: !ImportValue shared-url" }),
      "Resources.StaticClient.Properties.DefaultRedirectURI: !ImportValue is not supported locally",
    ],
    [
      "!GetAtt without an attribute",
      template({ client: "DefaultRedirectURI: !GetAtt UserPool" }),
      "Resources.StaticClient.Properties.DefaultRedirectURI: !GetAtt needs a resource and an attribute name",
    ],
    [
      "an intrinsic with the wrong arguments",
      template({ client: "DefaultRedirectURI: !Join [only-one]" }),
      "Resources.StaticClient.Properties.DefaultRedirectURI: !Join needs a list of 2",
    ],
    [
      "no user pool",
      "Resources:\n  Topic:\n    Type: AWS::SNS::Topic",
      "Resources: no AWS::Cognito::UserPool",
    ],
    [
      "no user pool client",
      template().replace("AWS::Cognito::UserPoolClient", "AWS::SNS::Topic"),
      "Resources: no AWS::Cognito::UserPoolClient",
    ],
    [
      "no user pool domain",
      template().replace("AWS::Cognito::UserPoolDomain", "AWS::SNS::Topic"),
      "Resources: no AWS::Cognito::UserPoolDomain",
    ],
    [
      "two user pool clients",
      template({
        resources: "Second:\n  Type: AWS::Cognito::UserPoolClient\n  Properties: {ClientName: b}",
      }),
      "Resources.Second: a second AWS::Cognito::UserPoolClient (after StaticClient); the stand-in supports one",
    ],
    [
      "two resource servers with one identifier",
      template({
        resources: dedent(`
          A:
            Type: AWS::Cognito::UserPoolResourceServer
            Properties: {UserPoolId: !Ref UserPool, Identifier: api, Name: A}
          B:
            Type: AWS::Cognito::UserPoolResourceServer
            Properties: {UserPoolId: !Ref UserPool, Identifier: api, Name: B}
        `),
      }),
      'Resources.B: a second resource server with Identifier "api"',
    ],
    [
      "a client of another pool",
      template().replace(
        "      UserPoolId: !Ref UserPool\n      ClientName",
        "      UserPoolId: us-east-1_Other\n      ClientName",
      ),
      "Resources.StaticClient.Properties.UserPoolId: must be !Ref UserPool",
    ],
    [
      "a feature plan Cognito does not have",
      template({ pool: "UserPoolTier: GOLD" }),
      'Resources.UserPool.Properties.UserPoolTier: must be one of LITE, ESSENTIALS, PLUS, not "GOLD"',
    ],
    [
      "a boolean that is not one",
      template({ pool: "UsernameConfiguration: {CaseSensitive: maybe}" }),
      'Resources.UserPool.Properties.UsernameConfiguration.CaseSensitive: must be true or false, not "maybe"',
    ],
    [
      "a password length Cognito refuses",
      template({ pool: "Policies: {PasswordPolicy: {MinimumLength: 5}}" }),
      "Resources.UserPool.Properties.Policies.PasswordPolicy.MinimumLength: must be from 6 to 99",
    ],
    [
      "a list that is not one",
      template({ client: "AllowedOAuthScopes: openid" }),
      "Resources.StaticClient.Properties.AllowedOAuthScopes: must be a list",
    ],
    [
      "a list item that is not a string",
      template({ client: "CallbackURLs: [http://a.test/cb, {url: x}]" }),
      "Resources.StaticClient.Properties.CallbackURLs[1]: must be a string",
    ],
    [
      "an OAuth flow Cognito does not have",
      template({ client: "AllowedOAuthFlows: [code, password]" }),
      'Resources.StaticClient.Properties.AllowedOAuthFlows[1]: must be one of code, implicit, client_credentials, not "password"',
    ],
    [
      "a client property CloudFormation does not have",
      template({ client: "CallbackUrls: [http://a.test/cb]" }),
      "Resources.StaticClient.Properties.CallbackUrls: is not a property of AWS::Cognito::UserPoolClient",
    ],
    [
      "a token validity that is not a number",
      template({ client: "AccessTokenValidity: soon" }),
      'Resources.StaticClient.Properties.AccessTokenValidity: must be a whole number, not "soon"',
    ],
    [
      "a time unit Cognito does not have",
      template({ client: "TokenValidityUnits: {AccessToken: weeks}" }),
      'Resources.StaticClient.Properties.TokenValidityUnits.AccessToken: must be one of seconds, minutes, hours, days, not "weeks"',
    ],
    [
      "a domain that is not a prefix",
      template().replace("Domain: test-domain", "Domain: auth.example.com"),
      'Resources.UserPoolDomain.Properties.Domain: "auth.example.com" is not a valid Cognito domain prefix',
    ],
    [
      "a domain that refers to itself",
      template().replace("Domain: test-domain", "Domain: !Ref UserPoolDomain"),
      "Resources.UserPoolDomain.Properties.Domain: depends on itself",
    ],
    [
      "a resource server without Identifier",
      template({
        resources:
          "Api:\n  Type: AWS::Cognito::UserPoolResourceServer\n  Properties: {UserPoolId: !Ref UserPool, Name: Api}",
      }),
      "Resources.Api.Properties.Identifier: must be a string",
    ],
    [
      "a resource without Type",
      template({ resources: "Typeless:\n  Properties: {}" }),
      "Resources.Typeless.Type: must be a string",
    ],
    [
      "a transform",
      `Transform: AWS::Serverless-2016-10-31\n${template()}`,
      "Transform: transforms are not supported locally",
    ],
  ];

  it.each(cases)("%s", (_rule, text, message) => {
    expect(() => load(text)).toThrow(new TypeError(`infra/cognito.yaml: ${message}`));
  });

  it("YAML that does not parse is refused with its line and column", () => {
    expect(() => load("Resources:\n  A: [unclosed\n")).toThrow(TypeError);
    expect(() => load("Resources:\n  A: 1\n  A: 2\n")).toThrow(
      new TypeError("infra/cognito.yaml:3:3: Map keys must be unique"),
    );
  });

  it("messages name the source given in the context", () => {
    expect(() => load("Resources: {}", { sourceName: "test.yaml" })).toThrow(
      new TypeError("test.yaml: Resources: no AWS::Cognito::UserPool"),
    );
  });
});

describe("only the intrinsics infra/cognito.yaml uses are evaluated; others are refused where they stand", () => {
  it("infra/cognito.yaml uses each supported intrinsic, and no other", () => {
    const used = new Set<string>();
    visit(parseDocument(templateText), (_key, node) => {
      const tag = (node as { tag?: string }).tag;
      if (tag?.startsWith("!")) used.add(tag === "!Ref" ? "Ref" : `Fn::${tag.slice(1)}`);
      if (isMap(node) && node.items.length === 1) {
        const key = node.items[0]?.key;
        const name = isScalar(key) ? String(key.value) : "";
        if (name === "Ref" || name.startsWith("Fn::")) used.add(name);
      }
    });
    expect([...used].sort()).toEqual([...SUPPORTED_INTRINSICS].sort());
  });

  const head = "Conditions:\n  Yes: !Equals [a, a]";
  const cases: [string, string, string][] = [
    [
      "!Base64 in a property the stand-in reads",
      template({ client: "DefaultRedirectURI: !Base64 x" }),
      "Resources.StaticClient.Properties.DefaultRedirectURI: !Base64 is not supported locally",
    ],
    [
      "Fn::FindInMap in its long form",
      template({ client: 'DefaultRedirectURI: {"Fn::FindInMap": [A, b, C]}' }),
      "Resources.StaticClient.Properties.DefaultRedirectURI: Fn::FindInMap is not supported locally",
    ],
    [
      "!And in Conditions",
      template({ head: "Conditions:\n  Both: !And [!Equals [a, a], !Equals [b, b]]" }),
      "Conditions.Both: !And is not supported locally",
    ],
    [
      "!Condition inside a condition",
      template({ head: `${head}\n  Also: !Not [!Condition Yes]` }),
      "Conditions.Also[0]: !Condition is not supported locally",
    ],
    [
      "!GetAZs in a resource the stand-in never reads",
      template({ resources: "Topic:\n  Type: AWS::SNS::Topic\n  Properties: {Zones: !GetAZs ''}" }),
      "Resources.Topic.Properties.Zones: !GetAZs is not supported locally",
    ],
    [
      "!Cidr in Outputs",
      `${template()}\nOutputs:\n  Block:\n    Value: !Cidr [10.0.0.0/16, 1, 8]`,
      "Outputs.Block.Value: !Cidr is not supported locally",
    ],
    [
      "the pseudo parameter AWS::NoValue",
      template({ client: "DefaultRedirectURI: !Ref AWS::NoValue" }),
      "Resources.StaticClient.Properties.DefaultRedirectURI: AWS::NoValue is not supported locally",
    ],
    [
      "a condition that is neither !Equals nor !Not",
      template({
        head: "Conditions:\n  Odd: !If [Odd, a, b]",
        client: "DefaultRedirectURI: !If [Odd, a, b]",
      }),
      "Conditions.Odd: a condition must be !Equals or !Not",
    ],
    [
      "!Equals of a list",
      template({
        head: `${head}\n  Lists: !Equals [[a], [a]]`,
        client: "DefaultRedirectURI: !If [Lists, a, b]",
      }),
      "Conditions.Lists: !Equals needs a string, not a list",
    ],
    [
      "a parameter type the template does not use",
      template({
        head: "Parameters:\n  Zone:\n    Type: AWS::EC2::AvailabilityZone::Name\n    Default: a",
      }),
      "Parameters.Zone.Type: AWS::EC2::AvailabilityZone::Name is not supported locally",
    ],
    [
      "a parameter constraint the template does not use",
      template({ head: "Parameters:\n  Size:\n    Type: Number\n    Default: 3\n    MinValue: 1" }),
      "Parameters.Size.MinValue: is not supported locally",
    ],
  ];

  it.each(cases)("%s", (_rule, text, message) => {
    expect(() => load(text)).toThrow(new TypeError(`infra/cognito.yaml: ${message}`));
  });
});
