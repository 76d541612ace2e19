import { PageLayout } from "@mcp-cognito-workers/http";
import type { PoolTemplate } from "../config/pool-template";
import { listPoolScopes } from "../config/pool-template";
import type { Config } from "../config/vars";
import { STYLESHEET_PATH } from "./layout";

/** What `GET /` reports: everything a developer needs to point a client at the stand-in. */
export function describeStandIn(config: Config, template: PoolTemplate) {
  return {
    service: "cognito-local",
    notice: "Local development values only. Never use them anywhere else.",
    region: config.region,
    userPoolId: config.userPoolId,
    userPoolName: template.userPoolName,
    featurePlan: template.featurePlan,
    issuer: config.issuer,
    discovery: `${config.issuer}/.well-known/openid-configuration`,
    jwks: `${config.issuer}/.well-known/jwks.json`,
    /** Cognito's IdP host (IdP API, issuer, discovery, JWKS): `PUBLIC_ORIGIN`. */
    idpEndpoint: `${config.publicOrigin}/`,
    /** Cognito's managed-login domain (OAuth endpoints, sign-in pages), another host: `LOGIN_ORIGIN`. */
    managedLogin: config.loginOrigin,
    scopes: listPoolScopes(template),
    staticClient: {
      clientName: template.staticClient.ClientName,
      clientId: config.staticClientId,
      clientSecret: config.staticClientSecret,
      callbackUrls: template.staticClient.CallbackURLs ?? [],
    },
    demoUser: { username: config.demoUser.username, password: config.demoUser.password },
    apiCredentials: {
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
    },
  };
}

type StandIn = ReturnType<typeof describeStandIn>;

/** The home page of the stand-in, `GET /` in a browser. */
export function InfoPage(props: { info: StandIn }) {
  const { info } = props;
  return (
    <PageLayout title="cognito-local" stylesheet={STYLESHEET_PATH}>
      <div class="card">
        <span class="badge">development only</span>
        <h1>cognito-local</h1>
        <p class="muted">
          A local stand-in for Amazon Cognito, configured from <code>infra/cognito.yaml</code>.{" "}
          {info.notice}
        </p>
      </div>
      <section class="card" aria-labelledby="pool">
        <h2 id="pool">User pool</h2>
        <dl>
          <dt>Pool id</dt>
          <dd>
            <code>{info.userPoolId}</code>
          </dd>
          <dt>Region</dt>
          <dd>
            <code>{info.region}</code>
          </dd>
          <dt>Feature plan</dt>
          <dd>{info.featurePlan}</dd>
          <dt>Issuer</dt>
          <dd>
            <code>{info.issuer}</code>
          </dd>
          <dt>Discovery</dt>
          <dd>
            <a href={info.discovery}>{info.discovery}</a>
          </dd>
          <dt>JWKS</dt>
          <dd>
            <a href={info.jwks}>{info.jwks}</a>
          </dd>
          <dt>Scopes</dt>
          <dd>
            <code>{info.scopes.join(" ")}</code>
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="hosts">
        <h2 id="hosts">Cognito's two hosts</h2>
        <p class="muted">
          Each answers only its own paths, as Cognito's do: take the managed-login endpoints from
          discovery, never from the issuer.
        </p>
        <dl>
          <dt>IdP API, issuer, JWKS</dt>
          <dd>
            <code>{info.idpEndpoint}</code>
          </dd>
          <dt>Managed login</dt>
          <dd>
            <code>{info.managedLogin}</code> (<code>/oauth2/authorize</code>,{" "}
            <code>/oauth2/token</code>, <code>/oauth2/userInfo</code>, <code>/oauth2/revoke</code>,{" "}
            <code>/login</code>, <code>/logout</code>)
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="client">
        <h2 id="client">Static client ({info.staticClient.clientName})</h2>
        <dl>
          <dt>Client id</dt>
          <dd>
            <code>{info.staticClient.clientId}</code>
          </dd>
          <dt>Client secret</dt>
          <dd>
            <code>{info.staticClient.clientSecret}</code>
          </dd>
          <dt>Callback URLs</dt>
          <dd>
            <code>{info.staticClient.callbackUrls.join(", ")}</code>
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="user">
        <h2 id="user">Demo user</h2>
        <dl>
          <dt>Username</dt>
          <dd>
            <code>{info.demoUser.username}</code>
          </dd>
          <dt>Password</dt>
          <dd>
            <code>{info.demoUser.password}</code>
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="api">
        <h2 id="api">
          IdP API (SigV4, service <code>cognito-idp</code>)
        </h2>
        <dl>
          <dt>Endpoint</dt>
          <dd>
            <code>{info.idpEndpoint}</code>
          </dd>
          <dt>Access key id</dt>
          <dd>
            <code>{info.apiCredentials.accessKeyId}</code>
          </dd>
          <dt>Secret access key</dt>
          <dd>
            <code>{info.apiCredentials.secretAccessKey}</code>
          </dd>
        </dl>
      </section>
    </PageLayout>
  );
}
