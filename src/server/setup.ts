import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, openSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { createProbot, type Logger } from "probot";
import { stringify } from "yaml";
import { ServeError } from "./errors.js";
import { listen } from "./listen.js";
import { appManifest, packageJson } from "./package-files.js";
import { loadProbotSetup, type Env, type Handler } from "./probot-setup.js";

/** Where the app receives webhooks once it runs (Probot's default path, which createNodeMiddleware serves). */
export const WEBHOOK_PATH = "/api/github/webhooks";

export interface RunningSetup {
  mode: "setup";
  server: Server;
  stop(): Promise<void>;
}

/**
 * `roleguard serve` with no APP_ID: Probot's set-up page on PORT/HOST, which
 * registers roleguard as a GitHub App from its app.yml (GitHub's manifest
 * flow) and writes the app's id, private key and webhook secret to ./.env.
 * Nothing else is served: webhooks are refused and /healthz answers 503, so an
 * orchestrator never mistakes set-up mode for a running app. Once .env is
 * written, the person restarts `roleguard serve`, which reads it.
 */
export async function startSetup(address: { port: number; host: string }): Promise<RunningSetup> {
  const pieces = await loadProbotSetup();
  const manifest = appManifest();
  const pkg = packageJson();
  const proxyUrl = webhookProxyUrl();
  // Probot would otherwise fetch smee-client with npx and point the app at a smee.io channel that `roleguard serve` never reads.
  process.env.NO_SMEE_SETUP = "true";
  const log = await setupLog();
  const envPath = join(process.cwd(), ".env");
  let registeredAppId: string | undefined;

  const writeEnv = (env: Env): Env => {
    // .env receives the app's private key: create it readable by this user only (Probot's writer keeps the mode of the file it overwrites).
    closeSync(openSync(envPath, "a", 0o600));
    chmodSync(envPath, 0o600);
    const merged = pieces.updateEnv(env);
    if (env.APP_ID) {
      registeredAppId = env.APP_ID;
      log.info(`registered as GitHub App ${env.APP_ID}: its id, private key and webhook secret are in ${envPath}. Install the app, then restart roleguard serve to process webhooks`);
    }
    return merged;
  };
  const creation = new pieces.ManifestCreation({ updateEnv: writeEnv });
  const health = () =>
    registeredAppId
      ? { status: "restart", message: `registered as GitHub App ${registeredAppId}; restart roleguard serve to load ${envPath} and process webhooks` }
      : { status: "setup", message: "roleguard is not registered as a GitHub App yet: open /probot on this server to register it; no webhooks are processed until then" };

  /** GET /probot: Probot's set-up page, with roleguard's app.yml as the manifest and a note on where the webhooks and the credentials go. */
  const setupPage = (request: IncomingMessage): string => {
    const baseUrl = requestBaseUrl(request, address);
    const hookUrl = proxyUrl ?? `${baseUrl}${WEBHOOK_PATH}`;
    const document = stringify({ ...manifest, hook_attributes: { ...manifest.hook_attributes, url: hookUrl } });
    const page = pieces.setupView({
      name: pkg.name,
      version: pkg.version,
      ...(pkg.description ? { description: pkg.description } : {}),
      createAppUrl: creation.createAppUrl,
      manifest: attributeSafe(creation.getManifest({ pkg, baseUrl, readFileSync: () => document })),
    });
    return page.replace("</form>", `</form>\n${setupNote({ hookUrl, envPath, registeredAppId })}`);
  };

  let setupRoutes: Handler | undefined;
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/healthz") return send(response, 503, "application/json", JSON.stringify(health()));
    if (request.method === "GET" && path === "/probot") return send(response, 200, "text/html; charset=utf-8", setupPage(request));
    if (path === WEBHOOK_PATH) return send(response, 503, "text/plain", "roleguard is in set-up mode: no webhooks are processed until the app is registered and roleguard serve restarted\n");
    if (await pieces.staticFilesHandler(request, response)) return;
    if (setupRoutes && (await setupRoutes(request, response))) return;
    send(response, setupRoutes ? 404 : 503, "text/plain", setupRoutes ? "Not found: roleguard is in set-up mode; open /probot\n" : "starting\n");
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => failed(response, error, log));
  });
  const port = await listen(server, address.port, address.host);
  setupRoutes = await pieces.setupAppFactory({ host: address.host, port, log, updateEnv: writeEnv })();
  const githubHost = new URL(creation.createAppUrl).host;
  log.info(`roleguard is not registered as a GitHub App yet: open http://${printableHost(address.host)}:${port}/probot to register it on ${githubHost}; its id, private key and webhook secret will be written to ${envPath}`);

  return {
    mode: "setup",
    server,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // nothing in set-up mode is worth waiting for: idle keep-alive sockets would hold close() for seconds
      await closed;
    },
  };
}

/** Probot's logger, configured from LOG_LEVEL / LOG_FORMAT as the app's is; the Probot itself never talks to GitHub. */
async function setupLog(): Promise<Logger> {
  const probot = createProbot({ overrides: { appId: 1, privateKey: "unused in set-up mode", secret: randomBytes(32).toString("hex") } });
  await probot.ready();
  return probot.log;
}

function webhookProxyUrl(): string | undefined {
  const value = process.env.WEBHOOK_PROXY_URL;
  if (!value) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ServeError(`WEBHOOK_PROXY_URL is not an http(s) URL: set it to the public URL that forwards to ${WEBHOOK_PATH} (e.g. a https://smee.io channel), or unset it`);
  }
  return value;
}

/** The address the person's browser used (a reverse proxy's X-Forwarded-Proto/Host first), as Probot's set-up app takes it. */
function requestBaseUrl(request: IncomingMessage, address: { port: number; host: string }): string {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim() || undefined;
  const protocol = first(request.headers["x-forwarded-proto"]) === "https" ? "https" : "http";
  const host = first(request.headers["x-forwarded-host"]) ?? request.headers.host ?? `${printableHost(address.host)}:${address.port}`;
  return `${protocol}://${host}`;
}

/** The manifest sits in a single-quoted HTML attribute on Probot's page: escape what could end it or start an entity (JSON keeps its meaning). */
function attributeSafe(json: string): string {
  return json.replace(/['&<>]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function isLocal(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || host === "0.0.0.0" || host.startsWith("127.");
}

/** What happens next, in the set-up page's own box (its stylesheet is Probot's small one: hence the few inline styles). */
function setupNote(facts: { hookUrl: string; envPath: string; registeredAppId: string | undefined }): string {
  const code = (text: string) => `<code style="font-size:90%;background:#f6f8fa;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere">${escapeHtml(text)}</code>`;
  const box = "margin-top:16px;max-width:800px";
  if (facts.registeredAppId) {
    return `<div class="text-left" id="roleguard-setup" style="${box}"><p><strong>Registered as GitHub App ${escapeHtml(facts.registeredAppId)}.</strong> Its id, private key and webhook secret are in ${code(facts.envPath)}. Install the app, then restart ${code("roleguard serve")}.</p></div>`;
  }
  const unreachable = isLocal(facts.hookUrl)
    ? `<p style="background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px"><strong>GitHub cannot reach that address.</strong> Open this page at the address GitHub will use (a proxy's X-Forwarded-Host counts), or set ${code("WEBHOOK_PROXY_URL")} to a smee.io channel and forward it with ${code(`npx smee-client --url $WEBHOOK_PROXY_URL --target ${facts.hookUrl}`)}.</p>`
    : "";
  return [
    `<div class="text-left" id="roleguard-setup" style="${box}">`,
    `<p>GitHub will send the app's webhooks to ${code(facts.hookUrl)}.</p>`,
    unreachable,
    `<p>GitHub then sends you back here, and roleguard writes the app's id, private key and webhook secret to ${code(facts.envPath)} (readable by you only). Install the app on your organisation, then restart ${code("roleguard serve")}.</p>`,
    `</div>`,
  ].join("\n");
}

function printableHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "content-type": type }).end(body);
}

/**
 * A set-up route failed: most often GitHub refusing the code (used, or more
 * than an hour old) or not answering. The page says what to do; the log gets
 * the status only, never a request or response body.
 */
function failed(response: ServerResponse, error: unknown, log: Logger): void {
  if (response.headersSent) return void response.end();
  const failure = error as { status?: unknown; response?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (typeof failure.status === "number" && failure.response) {
    log.warn(`GitHub answered ${failure.status} when asked for the new app's credentials`);
    return send(response, 502, "text/plain", `GitHub did not accept the registration code (HTTP ${failure.status}). A code works once, within an hour: open /probot and register the app again.\n`);
  }
  if (typeof failure.status === "number") {
    const why = typeof failure.cause?.code === "string" ? failure.cause.code : String(failure.message);
    log.warn(`could not reach GitHub for the new app's credentials: ${why}`);
    return send(response, 502, "text/plain", `Could not reach GitHub (${why}). Check GHE_HOST / GHE_PROTOCOL and the network, then open /probot and register the app again.\n`);
  }
  if (error instanceof SyntaxError) return send(response, 400, "text/plain", "The request body is not JSON.\n");
  const message = error instanceof Error ? error.message : String(error);
  log.error(`set-up request failed: ${message}`);
  send(response, 500, "text/plain", `Set-up failed: ${message}\n`);
}
