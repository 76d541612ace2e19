import { Layout } from "./layout";

/** An error page: a safe message, never an upstream body or a token. */
export function ErrorPage(props: { appName: string; title: string; message: string }) {
  return (
    <Layout title={`${props.title} · ${props.appName}`}>
      <h1>{props.title}</h1>
      <p role="alert">{props.message}</p>
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </Layout>
  );
}
