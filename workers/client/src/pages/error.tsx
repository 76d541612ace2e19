import { PageLayout } from "@mcp-cognito-workers/http";
import { STYLESHEET_PATH } from "./layout";

/** An error page: a safe message, never an upstream body or a token. */
export function ErrorPage(props: { appName: string; title: string; message: string }) {
  return (
    <PageLayout title={`${props.title} · ${props.appName}`} stylesheet={STYLESHEET_PATH} skipLink>
      <h1>{props.title}</h1>
      <p role="alert">{props.message}</p>
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </PageLayout>
  );
}
