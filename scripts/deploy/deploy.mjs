// The real deploy: stack → outputs and secrets → KV namespaces → each worker → its secrets.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { deployStack, readStackOutputs, readStackSecrets } from "./aws.mjs";
import { deployWorker, ensureKvNamespaces, listSecretNames, putSecret } from "./cloudflare.mjs";
import {
  assertDeployConfig,
  buildStackParameters,
  buildWorkerDeployment,
  buildWorkerUrls,
  kvNamespaceTitle,
} from "./plan.mjs";
import { createProcessRunner } from "./runner.mjs";
import { importWrangler, REPO_ROOT } from "./workers.mjs";

/** File name of the generated, git-ignored configuration written next to each wrangler.toml. */
export const GENERATED_CONFIG = "wrangler.deploy.json";

/**
 * Where the deploy remembers a SHA-256 fingerprint of each secret it put (git-ignored, under
 * .wrangler/), so that a second run puts only secrets whose value changed. A fingerprint of a
 * high-entropy secret does not reveal it.
 */
export const DEPLOY_STATE_FILE = join(REPO_ROOT, ".wrangler", "deploy-state.json");

/** Fingerprint of one secret of one worker. */
export function secretFingerprint(workerName, name, value) {
  return createHash("sha256").update(`${workerName}\0${name}\0${value}`).digest("hex");
}

function readStateFile() {
  return existsSync(DEPLOY_STATE_FILE) ? JSON.parse(readFileSync(DEPLOY_STATE_FILE, "utf8")) : {};
}

function writeStateFile(state) {
  mkdirSync(dirname(DEPLOY_STATE_FILE), { recursive: true });
  writeFileSync(DEPLOY_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

/** Reads deploy.config.json (git-ignored; deploy.config.example.json shows its shape). */
export function readDeployConfig(path) {
  if (!existsSync(path))
    throw new Error(`${path} not found: copy deploy.config.example.json to it and fill it in`);
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Stack settings from the deploy configuration. */
export function stackSettings(config, root = REPO_ROOT) {
  return {
    stackName: config.stackName ?? "mcp-cognito-workers",
    region: config.region,
    endpointUrl: config.awsEndpointUrl,
    templateFile: join(root, "infra", "cognito.yaml"),
  };
}

/**
 * Deploys everything. Every process goes through `run`; configuration files are read with
 * `readRawConfig` and written with `writeFile`, so a test can observe all of it.
 * @param {object} options
 * @param {{name: string, dir: string, configPath: string}[]} options.workers
 * @param {string} options.wranglerBin
 * @param {string} [options.configPath] deploy.config.json
 * @param {import("./plan.mjs").DeployConfig} [options.config] instead of reading configPath
 * @param {import("./runner.mjs").Runner} [options.run]
 * @param {(path: string) => Record<string, any>} [options.readRawConfig]
 * @param {(path: string, text: string) => void} [options.writeFile]
 * @param {Record<string, string | undefined>} [options.env]
 * @param {() => {secrets?: Record<string, string>}} [options.readState] fingerprints of secrets put
 * @param {(state: {secrets?: Record<string, string>}) => void} [options.writeState]
 * @param {(line: string) => void} [options.log]
 */
export async function deploy(options) {
  const log = options.log ?? ((line) => console.log(line));
  const run = options.run ?? createProcessRunner({ log });
  const env = options.env ?? process.env;
  const writeFile = options.writeFile ?? ((path, text) => writeFileSync(path, text));
  const readRawConfig =
    options.readRawConfig ??
    (await importWrangler().then(
      (w) => (path) => w.experimental_readRawConfig({ config: path }).rawConfig,
    ));
  const config = options.config ?? readDeployConfig(options.configPath);
  // Refusals come first: nothing is deployed from a configuration production must not run.
  assertDeployConfig(config);
  const readState = options.readState ?? readStateFile;
  const writeState = options.writeState ?? writeStateFile;
  const state = readState();
  state.secrets ??= {};
  const cf = { run, wranglerBin: options.wranglerBin };
  const cfOptions = { cwd: REPO_ROOT };

  const urls = buildWorkerUrls(
    options.workers.map((w) => w.name),
    config,
  );
  const parameters = buildStackParameters(urls, config);
  const aws = { ...stackSettings(config), parameters };

  log(`stack ${aws.stackName}: deploying infra/cognito.yaml`);
  await deployStack(run, aws);
  const outputs = await readStackOutputs(run, aws);
  const stackSecrets = await readStackSecrets(run, aws, outputs);

  const rawConfigs = options.workers.map((worker) => readRawConfig(worker.configPath));
  const localKvIds = [
    ...new Set(rawConfigs.flatMap((raw) => (raw.kv_namespaces ?? []).map((ns) => ns.id))),
  ];
  const titles = localKvIds.map((id) => kvNamespaceTitle(id, config));
  log(`KV namespaces: ${titles.join(", ") || "none"}`);
  const idsByTitle = await ensureKvNamespaces(cf, titles, cfOptions);
  const kvIds = Object.fromEntries(localKvIds.map((id, i) => [id, idsByTitle[titles[i]]]));

  const context = {
    outputs,
    urls,
    parameters,
    config,
    kvIds,
    secrets: { ...stackSecrets, env },
  };
  for (const [i, worker] of options.workers.entries()) {
    const { wranglerConfig, secrets } = buildWorkerDeployment(worker, rawConfigs[i], context);
    const configFile = join(worker.dir, GENERATED_CONFIG);
    writeFile(configFile, `${JSON.stringify(wranglerConfig, null, 2)}\n`);
    log(`${worker.name}: deploying to ${urls[worker.name]}`);
    await deployWorker(cf, worker, configFile);
    if (Object.keys(secrets).length === 0) continue;
    // Secrets cannot be read back: a secret is put again only if the worker lacks it or its
    // fingerprint differs from the one recorded when it was last put.
    const present = new Set(await listSecretNames(cf, worker, configFile));
    for (const [name, value] of Object.entries(secrets)) {
      const key = `${stackSettings(config).stackName}/${worker.name}/${name}`;
      const fingerprint = secretFingerprint(worker.name, name, value);
      if (present.has(name) && state.secrets[key] === fingerprint) {
        log(`${worker.name}: secret ${name} unchanged`);
        continue;
      }
      log(`${worker.name}: secret ${name}`);
      await putSecret(cf, worker, configFile, name, value);
      state.secrets[key] = fingerprint;
      writeState(state);
    }
  }
  log("done:");
  for (const [name, url] of Object.entries(urls)) log(`  ${name.padEnd(8)} ${url}`);
  return { urls, outputs };
}
