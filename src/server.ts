import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { createProbot, type Logger, type Probot } from "probot";
import { roleguardApp } from "./app/index.js";
import { newAppState, type AppState } from "./app/state.js";
import { reconcileOnce, startReconciler } from "./app/sweep.js";
import { startReplica } from "./replicas/replicas.js";
import { fetchWithTimeout, githubTimeoutSeconds, roleguardOctokit } from "./server/github-client.js";
import { createLogger } from "./server/logger.js";
import { receiveHere, webhookHandler, type VerifiedDelivery } from "./server/webhooks.js";
import { closeSharedEvaluationPool, evaluationPoolSettings } from "./runtime/evaluation-pool.js";
import { ServeError } from "./server/errors.js";
import { listen, listenAddress } from "./server/listen.js";
import type { RunningSetup } from "./server/setup.js";
import type { GitHub } from "./sources/github/client.js";

export { ServeError } from "./server/errors.js";

export interface ServeOptions {
  port?: number;
  host?: string;
}

export interface RunningServer {
  mode: "app";
  server: Server;
  state: AppState;
  /** Stops taking deliveries, stops reconciliation, and waits (up to `graceMs`) for evaluations in flight. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * What `roleguard serve` / `npm start` runs. Reads ./.env first (where the
 * set-up page writes the app's credentials; variables already set win), then:
 * with APP_ID, the app (`serve`); without, Probot's set-up page that registers
 * the app (`startSetup`), except under NODE_ENV=production, where a missing
 * credential is a ServeError naming what to set (as `probot run` refuses too).
 */
export async function startServe(options: ServeOptions = {}): Promise<RunningServer | RunningSetup> {
  loadEnvFile(join(process.cwd(), ".env"));
  if (process.env.APP_ID) return serve(options);
  if (process.env.NODE_ENV === "production") {
    throw new ServeError(
      "APP_ID is not set, and with NODE_ENV=production there is no set-up page: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET to the GitHub App's, or register the app once by running roleguard serve without NODE_ENV=production",
    );
  }
  process.env.LOG_FORMAT ??= "json";
  process.env.LOG_LEVEL ??= "info";
  const { startSetup } = await import("./server/setup.js");
  return startSetup(listenAddress(options));
}

function loadEnvFile(path: string): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new ServeError(`cannot read ${path} (${code ?? (error as Error).message}): fix or remove it`);
  }
}

/**
 * The app itself, on PORT (default 3000).
 * Settings come from the environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL...), read by Probot's createProbot.
 * Webhooks at /api/github/webhooks; GET /healthz answers 200 once the app is
 * loaded; GET /metrics serves Prometheus text.
 */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  // Structured logs by default (one JSON object per line, with delivery id, repo, PR and SHA); LOG_FORMAT=pretty for people.
  process.env.LOG_FORMAT ??= "json";
  process.env.LOG_LEVEL ??= "info";
  const secret = process.env.ROLEGUARD_SIGNING_SECRET ?? process.env.WEBHOOK_SECRET;
  if (!secret) {
    throw new ServeError("WEBHOOK_SECRET is not set: roleguard will not start without it, since it verifies deliveries and signs the approvals record; set it to the GitHub App's webhook secret");
  }
  const appId = Number(process.env.APP_ID);
  if (!Number.isInteger(appId) || appId <= 0) {
    throw new ServeError("APP_ID must be the GitHub App's numeric id (its settings page shows it as App ID); unset it to register a new app on the set-up page");
  }
  let timeoutSeconds: number;
  let queueConcurrency: number | undefined;
  try {
    // Checked at start: a mistyped budget must not surface as every check failing later.
    evaluationPoolSettings(process.env);
    timeoutSeconds = githubTimeoutSeconds(process.env);
    queueConcurrency = positiveInteger("ROLEGUARD_QUEUE_CONCURRENCY", process.env.ROLEGUARD_QUEUE_CONCURRENCY);
    if (process.env.REDIS_URL && !/^rediss?:\/\/[^\s]+$/.test(process.env.REDIS_URL)) {
      throw new Error("REDIS_URL must be a redis:// or rediss:// URL (redis://host:6379/0), or unset for one process without Redis");
    }
  } catch (error) {
    throw new ServeError((error as Error).message);
  }
  const address = listenAddress(options);
  const log = await createLogger({ level: process.env.LOG_LEVEL, format: process.env.LOG_FORMAT });
  const probot = createGitHubApp(log, timeoutSeconds);
  const state = newAppState({ appId, secret, defaultMetrics: true });
  await probot.load(roleguardApp(state));
  const receive = (delivery: VerifiedDelivery, rerun = false) => {
    // A re-run may find the check run its first attempt created (on a replica that died since): the handlers look it up.
    if (rerun) state.reruns.set(delivery.id, true);
    return probot.receive(delivery as unknown as Parameters<Probot["receive"]>[0]);
  };
  // With REDIS_URL the replicas are one app (src/replicas); without, this process is the whole app, as before.
  const redisUrl = process.env.REDIS_URL;
  const replica = redisUrl ? startReplica({ url: redisUrl, state, log: probot.log, receive, concurrency: queueConcurrency }) : undefined;
  // Probot checks the signature against WEBHOOK_SECRET; ROLEGUARD_SIGNING_SECRET, when set, only signs the record.
  const webhooks = webhookHandler((body, signature) => probot.webhooks.verify(body, signature), replica ? replica.dispatch : receiveHere(receive, probot.log), probot.log);
  // Looked up in the background: start-up must not wait on GitHub (the signed ledger does not need it).
  void ownBotLogin(probot).then((login) => {
    if (login) state.botLogin = login;
  });
  let ready = false;

  const health = async (): Promise<{ status: number; body: { status: string } }> => {
    if (!ready) return { status: 503, body: { status: "starting" } };
    if (replica && !(await replica.healthy())) return { status: 503, body: { status: "redis unreachable" } };
    return { status: 200, body: { status: "ok" } };
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/healthz") {
      void health().then(({ status, body }) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      });
      return;
    }
    if (request.method === "GET" && path === "/metrics") {
      void state.metrics.registry.metrics().then((text) => {
        response.writeHead(200, { "content-type": state.metrics.registry.contentType });
        response.end(text);
      });
      return;
    }
    if (path !== probot.webhookPath && path !== `${probot.webhookPath}/`) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("Not found\n");
      return;
    }
    if (!ready) {
      // Shutting down: GitHub sees a failure and the delivery can be redelivered; reconciliation catches it otherwise.
      response.writeHead(503, { "content-type": "text/plain" });
      response.end("shutting down\n");
      return;
    }
    webhooks(request, response).catch((error: unknown) => {
      probot.log.error({ err: error }, "the webhook endpoint failed");
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end("internal error\n");
    });
  });

  const { host } = address;
  const port = await listen(server, address.port, host);
  ready = true;

  const interval = Number(process.env.ROLEGUARD_RECONCILE_SECONDS ?? 600);
  const makeContext = (gh: GitHub) => ({ gh: state.metrics.instrument(gh), log: probot.log, state });
  const stopReconciler =
    Number.isFinite(interval) && interval > 0
      ? replica
        ? replica.startReconciler((stopped) => reconcileOnce(probot, makeContext, stopped), interval)
        : startReconciler(probot, makeContext, interval)
      : async () => undefined;
  probot.log.info(
    `roleguard listening on http://${host}:${port} (webhooks at ${probot.webhookPath}; reconciliation every ${interval > 0 ? `${interval}s` : "— off"}; ${replica ? "replicas on Redis: deliveries queued, PRs locked across replicas" : "one process"})`,
  );

  return {
    mode: "app",
    server,
    state,
    async stop(graceMs = 25_000) {
      ready = false;
      const started = Date.now();
      await stopReconciler();
      // Replicas: the queue stops handing this replica jobs; those still running past the grace are run again elsewhere.
      await replica?.close(graceMs);
      const settle = async (ms: number) => {
        const deadline = Date.now() + ms;
        while (state.serializer.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      };
      await settle(Math.max(0, graceMs - (Date.now() - started)));
      // Each evaluation is bounded by its budget; one still running past the grace is ended here, with its worker
      // thread, and given a moment to write its check as failed.
      await closeSharedEvaluationPool();
      await settle(2_000);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

function positiveInteger(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
  return value;
}

/** Probot from the environment; its only refusal left (APP_ID is checked) is a missing private key. */
function createGitHubApp(log: Logger, timeoutSeconds: number): Probot {
  try {
    // Rate limits retried after retry-after, every request bounded in time (the token exchange too), logs redacted and capped.
    return createProbot({ overrides: { log, Octokit: roleguardOctokit(timeoutSeconds), request: { fetch: fetchWithTimeout(timeoutSeconds) } } });
  } catch (error) {
    const message = (error as Error).message;
    throw new ServeError(
      /privateKey/.test(message)
        ? "APP_ID is set but no private key was found: set PRIVATE_KEY to the GitHub App's private key (PEM text) or PRIVATE_KEY_PATH to its .pem file"
        : `cannot start the GitHub App: ${message}`,
    );
  }
}

/** "<slug>[bot]": how the app's own comments are signed on GitHub. Unknown is tolerable: the ledger is signed anyway. */
async function ownBotLogin(probot: Probot): Promise<string | undefined> {
  try {
    const octokit = await probot.auth();
    const { data } = await octokit.rest.apps.getAuthenticated();
    return data?.slug ? `${data.slug}[bot]` : undefined;
  } catch (error) {
    probot.log.warn({ err: error }, "could not look up the app's own login; its comments are recognised by their signature only");
    return undefined;
  }
}
