import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * `roleguard serve` with no APP_ID, as a person runs it: the built CLI in a
 * child process, in an empty working directory, driven over HTTP. GitHub is a
 * stand-in HTTP server reached through GHE_HOST (the child is another process,
 * so nock cannot intercept it); it answers the manifest conversion
 * (`POST /app-manifests/{code}/conversions`) as GitHub does.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "dist/bin.js");
const APP_YML = parse(readFileSync(join(ROOT, "app.yml"), "utf8")) as { name: string; default_permissions: object; default_events: string[] };
const { privateKey: PEM } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const WEBHOOK_SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const CLIENT_SECRET = `clsec-${randomBytes(12).toString("hex")}`;
const GOOD_CODE = `code-${randomBytes(8).toString("hex")}`;
/** A line from the middle of the key: if any of the key reaches a log, this does. */
const PEM_LINE = PEM.split("\n")[5]!;

interface Seen {
  method: string;
  url: string;
}

let github: { server: Server; host: string; seen: Seen[] };
const children: ChildProcess[] = [];
const folders: string[] = [];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first (npm test does)`);
  github = await standInGitHub();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await new Promise<void>((resolve) => github.server.close(() => resolve()));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe("roleguard serve without APP_ID: the set-up page", () => {
  let run: Running;
  let cwd: string;
  beforeAll(async () => {
    cwd = scratchFolder();
    run = await startServe(cwd);
  });

  it("serves Probot's set-up page with roleguard's own app.yml as the manifest, from any working directory", async () => {
    const response = await fetch(`${run.url}/probot`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    const manifest = manifestOf(page);
    expect(manifest.name).toBe(APP_YML.name);
    expect(manifest.default_permissions).toEqual(APP_YML.default_permissions);
    expect(manifest.default_events).toEqual(APP_YML.default_events);
    expect(manifest.public).toBe(false);
    // Webhooks go where roleguard listens for them (app.yml's placeholder URL is replaced); GitHub comes back to Probot's callback.
    expect(manifest.hook_attributes).toEqual({ url: `${run.url}/api/github/webhooks` });
    expect(manifest.redirect_url).toBe(`${run.url}/probot/setup`);
    // The form posts to the GitHub named by GHE_HOST / GHE_PROTOCOL.
    expect(page).toContain(`<form action="http://${github.host}/settings/apps/new" method="post"`);
    expect(page).toContain("Welcome to roleguard");
    // What happens next: where the credentials go, and the restart.
    expect(page).toContain(join(cwd, ".env"));
    expect(page).toMatch(/restart <code[^>]*>roleguard serve<\/code>/);
    expect(page).toContain("GitHub cannot reach that address");
  });

  it("builds the webhook URL from the address a reverse proxy forwards, and then has no warning", async () => {
    const page = await (await fetch(`${run.url}/probot`, { headers: { "x-forwarded-proto": "https", "x-forwarded-host": "roleguard.acme.example" } })).text();
    const manifest = manifestOf(page);
    expect(manifest.hook_attributes).toEqual({ url: "https://roleguard.acme.example/api/github/webhooks" });
    expect(manifest.redirect_url).toBe("https://roleguard.acme.example/probot/setup");
    expect(page).not.toContain("GitHub cannot reach that address");
  });

  it("sends / to the set-up page and serves its stylesheet", async () => {
    const root = await fetch(`${run.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/probot");
    const css = await fetch(`${run.url}/probot/static/primer.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css");
  });

  it("tells an orchestrator it is not serving webhooks: /healthz 503 with a JSON reason, deliveries 503", async () => {
    const health = await fetch(`${run.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "setup", message: expect.stringContaining("not registered as a GitHub App yet") });
    const delivery = await fetch(`${run.url}/api/github/webhooks`, { method: "POST", headers: { "x-github-event": "ping" }, body: "{}" });
    expect(delivery.status).toBe(503);
    expect(await delivery.text()).toContain("set-up mode");
  });

  it("answers a callback with no code 400, and a code GitHub refuses with what to do; nothing is written and it keeps serving", async () => {
    expect((await fetch(`${run.url}/probot/setup`)).status).toBe(400);
    const refused = await fetch(`${run.url}/probot/setup?code=expired-code`, { redirect: "manual" });
    expect(refused.status).toBe(502);
    expect(await refused.text()).toBe("GitHub did not accept the registration code (HTTP 404). A code works once, within an hour: open /probot and register the app again.\n");
    expect(github.seen).toContainEqual({ method: "POST", url: "/api/v3/app-manifests/expired-code/conversions" });
    expect(existsSync(join(cwd, ".env"))).toBe(false);
    expect((await fetch(`${run.url}/healthz`)).status).toBe(503);
  });

  it("trades GitHub's code for the app's credentials, writes them to .env (owner-only), sends the person to install the app, and logs no secret", async () => {
    const callback = await fetch(`${run.url}/probot/setup?code=${GOOD_CODE}`, { redirect: "manual" });
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe(`http://${github.host}/apps/roleguard-test/installations/new`);
    expect(github.seen).toContainEqual({ method: "POST", url: `/api/v3/app-manifests/${GOOD_CODE}/conversions` });

    const envFile = join(cwd, ".env");
    const env = parseEnv(readFileSync(envFile, "utf8"));
    expect(env).toMatchObject({ APP_ID: "4242", PRIVATE_KEY: PEM, WEBHOOK_SECRET });
    expect(statSync(envFile).mode & 0o777).toBe(0o600);

    const health = await fetch(`${run.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "restart", message: expect.stringContaining("restart roleguard serve") });
    expect(await (await fetch(`${run.url}/probot`)).text()).toContain("Registered as GitHub App 4242.");

    const logs = run.output();
    expect(logs).toContain(`registered as GitHub App 4242: its id, private key and webhook secret are in ${envFile}`);
    for (const secret of [PEM_LINE, WEBHOOK_SECRET, CLIENT_SECRET, GOOD_CODE]) expect(logs).not.toContain(secret);
  });

  it("restarted in the same folder, reads .env and runs the app: /healthz 200", async () => {
    await run.stop();
    const app = await startServe(cwd);
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect(app.output()).toContain("roleguard listening on");
    for (const secret of [PEM_LINE, WEBHOOK_SECRET, CLIENT_SECRET]) expect(app.output()).not.toContain(secret);
    await app.stop();
  });
});

describe("the set-up page for an organisation, behind a webhook proxy, or for an app that already exists", () => {
  let run: Running;
  let cwd: string;
  const proxy = "https://smee.io/roleguard-test";
  beforeAll(async () => {
    cwd = scratchFolder();
    run = await startServe(cwd, { GH_ORG: "acme", WEBHOOK_PROXY_URL: proxy });
  });
  afterAll(() => run.stop());

  it("registers the app under GH_ORG, with WEBHOOK_PROXY_URL as its webhook URL, and no reachability warning", async () => {
    const page = await (await fetch(`${run.url}/probot`)).text();
    expect(page).toContain(`<form action="http://${github.host}/organizations/acme/settings/apps/new" method="post"`);
    expect(manifestOf(page).hook_attributes).toEqual({ url: proxy });
    expect(page).not.toContain("GitHub cannot reach that address");
  });

  it("imports an existing app's credentials into .env (Probot's /probot/import), and refuses a body that is not JSON", async () => {
    const broken = await fetch(`${run.url}/probot/import`, { method: "POST", body: "{appId:" });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toBe("The request body is not JSON.\n");
    expect(existsSync(join(cwd, ".env"))).toBe(false);
    const imported = await fetch(`${run.url}/probot/import`, { method: "POST", body: JSON.stringify({ appId: "77", pem: PEM, webhook_secret: WEBHOOK_SECRET }) });
    expect(imported.status).toBe(200);
    expect(parseEnv(readFileSync(join(cwd, ".env"), "utf8"))).toMatchObject({ APP_ID: "77", PRIVATE_KEY: PEM, WEBHOOK_SECRET });
    expect(statSync(join(cwd, ".env")).mode & 0o777).toBe(0o600);
    expect(await (await fetch(`${run.url}/healthz`)).json()).toMatchObject({ status: "restart" });
    for (const secret of [PEM_LINE, WEBHOOK_SECRET]) expect(run.output()).not.toContain(secret);
  });
});

describe("roleguard serve refuses, in one line and exit 2, what it cannot run", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["NODE_ENV=production and no APP_ID (no set-up page in production)", { NODE_ENV: "production" }, /^roleguard: APP_ID is not set, and with NODE_ENV=production there is no set-up page: set APP_ID, PRIVATE_KEY \(or PRIVATE_KEY_PATH\) and WEBHOOK_SECRET/],
    ["APP_ID without a private key", { APP_ID: "12", WEBHOOK_SECRET: "s" }, /^roleguard: APP_ID is set but no private key was found: set PRIVATE_KEY .* or PRIVATE_KEY_PATH/],
    ["APP_ID and a key without WEBHOOK_SECRET", { APP_ID: "12", PRIVATE_KEY: PEM }, /^roleguard: WEBHOOK_SECRET is not set/],
    ["an APP_ID that is not a number", { APP_ID: "roleguard", PRIVATE_KEY: PEM, WEBHOOK_SECRET: "s" }, /^roleguard: APP_ID must be the GitHub App's numeric id/],
    ["a WEBHOOK_PROXY_URL that is not a URL", { WEBHOOK_PROXY_URL: "smee.io/abc" }, /^roleguard: WEBHOOK_PROXY_URL is not an http\(s\) URL/],
    ["a PORT that is not a port", { PORT: "eighty" }, /^roleguard: the port \(PORT\) must be a whole number from 0 to 65535/],
  ];
  it.each(cases)("%s", async (_name, extra, message) => {
    const result = spawnSync(process.execPath, [BIN, "serve"], { cwd: scratchFolder(), env: { ...baseEnv(await freePort()), ...extra }, encoding: "utf8", timeout: 15_000 });
    expect(result.status, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    if (extra.PRIVATE_KEY) expect(result.stderr + result.stdout).not.toContain(PEM_LINE);
  });

  it("a port already in use", async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, "127.0.0.1", () => resolve((taken.address() as AddressInfo).port)));
    try {
      const result = spawnSync(process.execPath, [BIN, "serve"], { cwd: scratchFolder(), env: baseEnv(port), encoding: "utf8", timeout: 15_000 });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toBe(`roleguard: 127.0.0.1:${port} is already in use (another roleguard or program is listening there): set --port or PORT, or HOST\n`);
    } finally {
      taken.close();
    }
  });
});

interface Running {
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** The environment of a fresh shell with no GitHub App configured: nothing inherited from the test's process. */
function baseEnv(port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: tmpdir(),
    PORT: String(port),
    HOST: "127.0.0.1",
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    ROLEGUARD_RECONCILE_SECONDS: "0",
    // The most verbose level: a secret in any log line would show.
    LOG_LEVEL: "trace",
  };
}

/** `roleguard serve` in `cwd`, resolved once it answers HTTP (any status), or rejected with its output if it exits first. */
async function startServe(cwd: string, extraEnv: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "serve"], { cwd, env: { ...baseEnv(port), ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`roleguard serve exited ${child.exitCode} before answering:\n${output}`);
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`roleguard serve did not answer on ${url} within 20 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      expect(await exited).toBe(0);
    },
  };
}

/** The manifest JSON that the page's button posts to GitHub (its single-quoted value attribute). */
function manifestOf(page: string): Record<string, unknown> {
  const value = /<button[^>]*name="manifest"[^>]*value='([^']*)'/.exec(page)?.[1];
  if (!value) throw new Error(`no manifest button on the page:\n${page}`);
  return JSON.parse(value) as Record<string, unknown>;
}

/** GitHub's manifest conversion as documented: the code in the path, the app's credentials back (201); unknown codes 404. */
async function standInGitHub(): Promise<{ server: Server; host: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let host = "";
  const server = createServer((request: IncomingMessage, response) => {
    seen.push({ method: request.method ?? "", url: request.url ?? "" });
    const json = (status: number, body: unknown) => response.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
    request.resume();
    if (request.method === "POST" && request.url === `/api/v3/app-manifests/${GOOD_CODE}/conversions`) {
      return json(201, {
        id: 4242,
        slug: "roleguard-test",
        name: "roleguard-test",
        html_url: `http://${host}/apps/roleguard-test`,
        client_id: "Iv1.roleguardtest",
        client_secret: CLIENT_SECRET,
        webhook_secret: WEBHOOK_SECRET,
        pem: PEM,
      });
    }
    if (request.method === "GET" && request.url === "/api/v3/app") return json(200, { id: 4242, slug: "roleguard-test" });
    json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  host = `127.0.0.1:${port}`;
  return { server, host, seen };
}

function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) =>
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    }),
  );
}

function scratchFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "roleguard-setup-"));
  folders.push(folder);
  return folder;
}
