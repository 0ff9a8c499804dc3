import { createServer, type Server } from "node:http";
import { createNodeMiddleware, createProbot, type Probot } from "probot";
import { roleguardApp } from "./app/index.js";
import { newAppState } from "./app/state.js";

export interface ServeOptions {
  port?: number;
  host?: string;
}

/**
 * `roleguard serve` / `npm start`: the Probot app on PORT (default 3000).
 * Settings come from the environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, GHE_HOST, LOG_LEVEL...), read by Probot's createProbot.
 * Webhooks at /api/github/webhooks; GET /healthz answers 200 once the app is loaded.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  // Structured logs by default (one JSON object per line, with delivery id, repo, PR and SHA); LOG_FORMAT=pretty for people.
  process.env.LOG_FORMAT ??= "json";
  process.env.LOG_LEVEL ??= "info";
  const probot = createProbot();
  const appId = Number(process.env.APP_ID);
  const state = newAppState({
    ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
    ...(process.env.WEBHOOK_SECRET ? { secret: process.env.WEBHOOK_SECRET } : {}),
  });
  const middleware = await createNodeMiddleware(roleguardApp(state), { probot });
  state.botLogin = await ownBotLogin(probot);
  let ready = false;

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/healthz") {
      response.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: ready ? "ok" : "starting" }));
      return;
    }
    void middleware(request, response, () => {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("Not found\n");
    });
  });

  const port = options.port ?? Number(process.env.PORT ?? 3000);
  const host = options.host ?? process.env.HOST ?? "localhost";
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  ready = true;
  probot.log.info(`roleguard listening on http://${host}:${port} (webhooks at /api/github/webhooks)`);
  return server;
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
