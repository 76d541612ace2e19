import { PageLayout } from "@mcp-cognito-workers/http";
import { MCP_ACTIONS, type McpActionKind } from "../mcp/actions";
import type { TraceStep } from "../oauth";
import type { Flow, FlowSignIn, Session } from "../session/session";
import { STYLESHEET_PATH } from "./layout";

/** What the home page shows besides the session. */
export interface HomeProps {
  appName: string;
  mcpServerUrl: string;
  session: Session;
  now: number;
  result?: { title: string; body: unknown };
  notice?: string;
}

function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

function ActionButton(props: {
  flow: Flow;
  action: McpActionKind | "refresh";
  label: string;
  csrf: string;
}) {
  return (
    <form method="post" action={`/mcp/${props.flow}/${props.action}`}>
      <Csrf token={props.csrf} />
      <button type="submit">{props.label}</button>
    </form>
  );
}

function Trace(props: { steps: TraceStep[] }) {
  if (props.steps.length === 0) return null;
  return (
    <details open>
      <summary>Discovery trace ({props.steps.length} steps)</summary>
      <ol>
        {props.steps.map((step) => (
          <li>
            <strong>{step.step}</strong>: <code>{step.url}</code>
            {step.status !== undefined ? ` → ${step.status}` : ""}
            {step.fields ? (
              <dl>
                {Object.entries(step.fields).map(([name, value]) => (
                  <>
                    <dt>{name}</dt>
                    <dd>
                      <code>{value}</code>
                    </dd>
                  </>
                ))}
              </dl>
            ) : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

function SignedIn(props: { flow: Flow; signIn: FlowSignIn; csrf: string; now: number }) {
  const { signIn, flow, csrf } = props;
  const user = signIn.tokens.user;
  const expiresIn = signIn.tokens.expiresAt
    ? Math.round((signIn.tokens.expiresAt - props.now) / 1000)
    : undefined;
  return (
    <>
      <p>
        Signed in{user ? ` as ${user.username ?? user.email ?? user.sub}` : ""} at{" "}
        <code>{signIn.issuer}</code>. Scopes granted:{" "}
        <code>{signIn.tokens.scope ?? signIn.scopes.join(" ")}</code>
        {expiresIn !== undefined ? `; the access token expires in ${expiresIn} s` : ""}
        {signIn.tokens.refreshToken ? "; a refresh token is kept." : "."}
      </p>
      {Object.values(MCP_ACTIONS)
        .filter((action) => action.fields.length === 0)
        .map((action) => (
          <ActionButton flow={flow} action={action.kind} label={action.label} csrf={csrf} />
        ))}
      <ActionButton flow={flow} action="refresh" label="Refresh tokens" csrf={csrf} />
      <form method="post" action={`/mcp/${flow}/${MCP_ACTIONS.create_context.kind}`}>
        <Csrf token={csrf} />
        <fieldset>
          <legend>Create a context (needs mcp-api/write: may ask you to sign in again)</legend>
          <label for={`${flow}-title`}>Title</label>
          <input id={`${flow}-title`} type="text" name="title" required maxlength={200} />
          <label for={`${flow}-content`}>Content</label>
          <textarea id={`${flow}-content`} name="content" rows={2} />
          <button type="submit">{MCP_ACTIONS.create_context.label}</button>
        </fieldset>
      </form>
      <form method="post" action={`/mcp/${flow}/${MCP_ACTIONS.delete_context.kind}`}>
        <Csrf token={csrf} />
        <label for={`${flow}-id`}>Context id to delete</label>
        <input id={`${flow}-id`} type="text" name="id" required />
        <button type="submit">{MCP_ACTIONS.delete_context.label}</button>
      </form>
    </>
  );
}

/** The home page: both flows, who is signed in, the last result and the discovery trace. */
export function HomePage(props: HomeProps) {
  const { session } = props;
  const csrf = session.csrfToken;
  const flows: { flow: Flow; title: string; text: string }[] = [
    {
      flow: "static",
      title: "Static flow",
      text: "Uses the confidential Cognito app client registered in advance (infra/cognito.yaml): authorization code with PKCE, state, nonce and the RFC 8707 resource.",
    },
    {
      flow: "discovery",
      title: "Discovery flow",
      text: `Knows only the MCP server's URL: calls it without a token, reads the 401 challenge, fetches the protected-resource metadata, discovers the authorization server, registers once by DCR, then signs in there (its consent page, then Cognito's login) and checks the RFC 9207 iss of the answer.`,
    },
  ];
  return (
    <PageLayout title={props.appName} stylesheet={STYLESHEET_PATH} skipLink>
      <h1>{props.appName}</h1>
      <p>
        An OAuth 2.1 client for the MCP server at <code>{props.mcpServerUrl}</code>. Tokens stay on
        the server; this page never shows them.
      </p>
      {props.notice ? (
        <p role="status">
          <strong>{props.notice}</strong>
        </p>
      ) : null}
      {props.result ? (
        <section aria-labelledby="result">
          <h2 id="result">{props.result.title}</h2>
          <pre>{JSON.stringify(props.result.body, null, 2)}</pre>
        </section>
      ) : null}
      {flows.map(({ flow, title, text }) => {
        const signIn = session.signIns[flow];
        return (
          <section aria-labelledby={`${flow}-heading`}>
            <h2 id={`${flow}-heading`}>{title}</h2>
            <p>{text}</p>
            {signIn ? (
              <SignedIn flow={flow} signIn={signIn} csrf={csrf} now={props.now} />
            ) : (
              <form method="post" action={`/login/${flow}`}>
                <Csrf token={csrf} />
                <button type="submit">Sign in ({title.toLowerCase()})</button>
              </form>
            )}
            {flow === "discovery" ? <Trace steps={session.trace} /> : null}
          </section>
        );
      })}
      {Object.keys(session.signIns).length > 0 ? (
        <form method="post" action="/logout">
          <Csrf token={csrf} />
          <button type="submit">Sign out</button>
        </form>
      ) : null}
    </PageLayout>
  );
}
