import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "probot";
import { ServeError } from "./errors.js";

/**
 * Probot's set-up app: the GitHub App manifest flow of `probot run` (the page
 * that posts app.yml to GitHub, the `/probot/setup?code=` callback that trades
 * the code for the app's id, key and secret, the "use an existing app" import
 * page, and the .env writer). roleguard reuses it rather than writing its own.
 *
 * Probot's package exports only its entry point, and the entry point exports
 * `run()`, which cannot serve /healthz, cannot use roleguard's own app.yml
 * from another working directory, and points the app's webhook at `/` where
 * roleguard does not listen. So the pieces are loaded from the installed
 * package's files. The test/server/setup.test.ts flow fails loudly if a Probot
 * release moves them.
 */
export type Handler = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;
export type Env = Record<string, string>;

export interface ProbotSetup {
  /** Probot's set-up routes: GET /, /probot/setup, /probot/import, /probot/success; POST /probot/import. */
  setupAppFactory(options: { host: string; port: number; log: Logger; updateEnv: (env: Env) => Env }): () => Promise<Handler>;
  ManifestCreation: new (options: { updateEnv: (env: Env) => Env }) => {
    /** The manifest as JSON: app.yml (as `readFileSync` returns it) over Probot's defaults, with redirect_url `${baseUrl}/probot/setup`. */
    getManifest(options: { pkg: object; baseUrl: string; readFileSync: (path: string, encoding: string) => string }): string;
    /** Where the form posts: https://github.com (or GHE_HOST) /settings/apps/new, or the GH_ORG organisation's. */
    readonly createAppUrl: string;
  };
  setupView(options: { name?: string; description?: string; version?: string; createAppUrl: string; manifest: string }): string;
  /** /probot/static/*: the stylesheet and pictures of the set-up pages. */
  staticFilesHandler: Handler;
  /** Merges into ./.env (of process.cwd()) and into process.env. */
  updateEnv(env: Env): Env;
}

const PIECES = {
  setupAppFactory: "apps/setup.js",
  ManifestCreation: "manifest-creation.js",
  setupView: "views/setup.js",
  staticFilesHandler: "server/handlers/static-files.js",
  updateEnv: "helpers/update-env.js",
} as const;

export async function loadProbotSetup(): Promise<ProbotSetup> {
  const lib = dirname(createRequire(import.meta.url).resolve("probot"));
  const entries = await Promise.all(
    Object.entries(PIECES).map(async ([name, file]) => {
      let piece: unknown;
      try {
        piece = ((await import(pathToFileURL(join(lib, file)).href)) as Record<string, unknown>)[name];
      } catch {
        piece = undefined;
      }
      if (typeof piece !== "function") {
        throw new ServeError(
          `the installed Probot has no ${name} in lib/${file}, so the set-up page cannot start: register the app by hand from app.yml and set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET`,
        );
      }
      return [name, piece] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as ProbotSetup;
}
