// The real deploy: stack → outputs (→ a new dcr key, if asked) → secrets → KV namespaces → each
// worker with its new or changed secrets in the same upload → secrets no longer planned deleted.
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleepMs } from "node:timers/promises";
import { importWrangler, REPO_ROOT } from "../lib/wrangler.mjs";
import { deployStack, readStackOutputs } from "./aws/cloudformation.mjs";
import { readStackSecrets } from "./aws/secrets.mjs";
import { deleteSecret, deployWorker, ensureKvNamespaces, listSecretNames } from "./cloudflare.mjs";
import { finishDcrKeyRotation, startDcrKeyRotation } from "./dcr-key.mjs";
import {
  assertDeployConfig,
  buildStackParameters,
  buildWorkerDeployment,
  buildWorkerUrls,
  kvNamespaceTitle,
} from "./plan.mjs";
import { createProcessRunner } from "./runner.mjs";

/** File name of the generated, git-ignored configuration written next to each wrangler.toml. */
export const GENERATED_CONFIG = "wrangler.deploy.json";

/**
 * Where the deploy remembers a fingerprint of each secret it put (git-ignored, under .wrangler/),
 * so that a second run puts only secrets whose value changed, and the key of those fingerprints.
 */
export const DEPLOY_STATE_FILE = join(REPO_ROOT, ".wrangler", "deploy-state.json");

/**
 * @typedef {object} DeployState
 * @property {string} fingerprintKey base64url of 32 random bytes, generated once per state file
 * @property {Record<string, string>} secrets fingerprint of each secret put, by
 *   `<stackName>/<worker>/<NAME>`
 */

/** A fingerprint key: base64url of 32 bytes. */
const FINGERPRINT_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Fingerprint of one secret of one worker: HMAC-SHA-256 under the state file's own random key, so
 * that the file cannot be used to test guesses of a secret (as an unkeyed hash could) without
 * that key too.
 * @param {string} fingerprintKey base64url of 32 bytes
 */
export function secretFingerprint(fingerprintKey, workerName, name, value) {
  if (typeof fingerprintKey !== "string" || !FINGERPRINT_KEY_PATTERN.test(fingerprintKey))
    throw new TypeError("secretFingerprint needs a fingerprint key (base64url of 32 bytes)");
  return createHmac("sha256", Buffer.from(fingerprintKey, "base64url"))
    .update(`${workerName}\0${name}\0${value}`)
    .digest("hex");
}

/**
 * The deploy state to work with, from what was read. A state without a valid fingerprint key
 * (missing, unreadable, or written before fingerprints were keyed, when they were plain SHA-256)
 * gets a new key and no fingerprints, so every secret is put again.
 * @param {unknown} raw
 * @returns {DeployState}
 */
export function normalizeDeployState(raw) {
  const state = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {};
  const secrets =
    typeof state.secrets === "object" && state.secrets !== null && !Array.isArray(state.secrets)
      ? state.secrets
      : {};
  if (
    typeof state.fingerprintKey === "string" &&
    FINGERPRINT_KEY_PATTERN.test(state.fingerprintKey)
  )
    return { ...state, fingerprintKey: state.fingerprintKey, secrets: { ...secrets } };
  return { ...state, fingerprintKey: randomBytes(32).toString("base64url"), secrets: {} };
}

/**
 * What to do with one worker's secrets, from the plan, the names the worker has and the
 * remembered fingerprints: `upload` the secrets it lacks or whose value changed (with the code, in
 * one `wrangler deploy`), leave the rest (`unchanged`), `remove` those it has that the plan no
 * longer sets, and `forget` the fingerprints of secrets no longer planned.
 * @param {object} options
 * @param {string} options.stackName
 * @param {string} options.worker
 * @param {Record<string, string>} options.secrets the plan's secrets
 * @param {string[]} options.present the names the worker has
 * @param {DeployState} options.state
 * @returns {{upload: Record<string, string>, fingerprints: Record<string, string>, unchanged: string[], remove: string[], forget: string[]}}
 *   `fingerprints` by state key, to remember once the upload succeeded
 */
export function planSecretChanges({ stackName, worker, secrets, present, state }) {
  const has = new Set(present);
  const prefix = `${stackName}/${worker}/`;
  const upload = {};
  const fingerprints = {};
  const unchanged = [];
  for (const [name, value] of Object.entries(secrets)) {
    const key = `${prefix}${name}`;
    const fingerprint = secretFingerprint(state.fingerprintKey, worker, name, value);
    if (has.has(name) && state.secrets[key] === fingerprint) unchanged.push(name);
    else {
      upload[name] = value;
      fingerprints[key] = fingerprint;
    }
  }
  return {
    upload,
    fingerprints,
    unchanged,
    remove: present.filter((name) => !(name in secrets)),
    forget: Object.keys(state.secrets).filter(
      (key) => key.startsWith(prefix) && !(key.slice(prefix.length) in secrets),
    ),
  };
}

/** The state file's JSON, or undefined when there is none or it is not JSON (secrets are put again). */
function readStateFile() {
  if (!existsSync(DEPLOY_STATE_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(DEPLOY_STATE_FILE, "utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function writeStateFile(state) {
  mkdirSync(dirname(DEPLOY_STATE_FILE), { recursive: true });
  // It holds the fingerprint key: readable by its owner only.
  writeFileSync(DEPLOY_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(DEPLOY_STATE_FILE, 0o600); // a file written by an older deploy kept its mode
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
 * @param {() => unknown} [options.readState] the deploy state as last written (DeployState)
 * @param {(state: DeployState) => void} [options.writeState]
 * @param {(line: string) => void} [options.log]
 * @param {boolean} [options.rotateDcrKey] give workers/dcr a new IAM access key (docs/deploy.md)
 * @param {(ms: number) => Promise<void>} [options.sleep] the waits of a key rotation
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
  if (options.rotateDcrKey && !options.workers.some((w) => w.name === "dcr"))
    throw new Error(
      "--rotate-dcr-key deploys workers/dcr with the new key before deleting the old one: leave out --only, or add --only dcr",
    );
  const sleep = options.sleep ?? ((ms) => sleepMs(ms));
  const readState = options.readState ?? readStateFile;
  const writeState = options.writeState ?? writeStateFile;
  const state = normalizeDeployState(readState());
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
  // A new key goes into DcrCredentials, checked against Cognito, before the secrets are read.
  const rotation = options.rotateDcrKey
    ? await startDcrKeyRotation(run, aws, outputs, { sleep, log })
    : undefined;
  try {
    await deployWorkers();
  } catch (error) {
    if (!rotation) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const old = rotation.retire
      ? `; the old key ${rotation.retire} was not deleted, as the workers may still use it: run npm run deploy until it succeeds, then delete it with aws iam delete-access-key --user-name ${rotation.userName} --access-key-id ${rotation.retire}`
      : "";
    throw new Error(
      `${message}\ndcr key: DcrCredentials holds the new key ${rotation.newKeyId}${old}`,
    );
  }
  if (rotation) await finishDcrKeyRotation(run, aws, rotation, { sleep, log });
  log("done:");
  for (const [name, url] of Object.entries(urls)) log(`  ${name.padEnd(8)} ${url}`);
  return { urls, outputs };

  async function deployWorkers() {
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
      // Secrets cannot be read back: one goes up again only if the worker lacks it or its
      // fingerprint differs from the one recorded when it was last uploaded. Those go with the
      // code in one upload, so no version of the worker runs without them (a first deploy too).
      const changes = planSecretChanges({
        stackName: aws.stackName,
        worker: worker.name,
        secrets,
        present: await listSecretNames(cf, worker, configFile),
        state,
      });
      for (const name of changes.unchanged) log(`${worker.name}: secret ${name} unchanged`);
      const uploaded = Object.keys(changes.upload);
      log(
        `${worker.name}: deploying to ${urls[worker.name]}${uploaded.length > 0 ? ` with the secrets ${uploaded.join(", ")}` : ""}`,
      );
      await deployWorker(cf, worker, configFile, changes.upload);
      Object.assign(state.secrets, changes.fingerprints);
      for (const key of changes.forget) delete state.secrets[key];
      if (uploaded.length > 0 || changes.forget.length > 0) writeState(state);
      // A setting removed from the plan (DCR_INITIAL_ACCESS_TOKEN unset) leaves the worker too.
      for (const name of changes.remove) {
        log(`${worker.name}: deleting the secret ${name}, which the deploy no longer sets`);
        await deleteSecret(cf, worker, configFile, name);
      }
    }
  }
}
