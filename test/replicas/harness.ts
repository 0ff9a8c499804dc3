import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

/**
 * What the replica tests run on: Debian's `redis-server` from PATH on a free
 * port of its own (never the shared 6379), and `roleguard serve` processes
 * (dist/bin.js, as `npm start` runs it) pointed at it and at a stand-in GitHub.
 */
export const HAS_REDIS = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
export const SECRET = "webhook-secret";
const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
export const STALL_PRELOAD = new URL("../fixtures/runtime/misbehaving-pool.mjs", import.meta.url).href;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it is truthy (or throws after `ms`, naming `what`). */
export async function until<T>(what: string, probe: () => T | Promise<T>, ms = 30_000, every = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** A throwaway redis-server: no persistence, its own port; `stop` and `start` again on the same port for outages. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    this.child = child;
    const probe = new Redis(this.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    try {
      await until("redis-server to answer", async () => {
        try {
          if (probe.status !== "ready") await probe.connect().catch(() => undefined);
          return (await probe.ping()) === "PONG";
        } catch {
          return false;
        }
      }, 10_000, 50);
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.child = undefined;
  }

  client(): Redis {
    const client = new Redis(this.port, "127.0.0.1", { maxRetriesPerRequest: null });
    client.on("error", () => undefined);
    return client;
  }
}

const { privateKey: PRIVATE_KEY } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** One `roleguard serve` process: its base URL, its output (for a failing test's message), and kill. */
export class Replica {
  output = "";
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
  ) {}

  /** `bin`: the built CLI to run (the bench, compiled elsewhere, names dist/bin.js itself). */
  static async start(options: { github: string; redis?: string; preload?: string; env?: Record<string, string>; bin?: string; untilHealthy?: boolean }): Promise<Replica> {
    const port = await freePort();
    // Its own empty folder: `serve` reads ./.env, and must find none.
    const cwd = mkdtempSync(join(tmpdir(), "roleguard-replica-"));
    const child = spawn(process.execPath, [...(options.preload ? ["--import", options.preload] : []), options.bin ?? BIN, "serve"], {
      cwd,
      env: {
        PATH: process.env.PATH,
        APP_ID: "1",
        PRIVATE_KEY,
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: new URL(options.github).host,
        GHE_PROTOCOL: "http",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "warn",
        ROLEGUARD_RECONCILE_SECONDS: "0",
        ...(options.redis ? { REDIS_URL: options.redis } : {}),
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.once("exit", () => rmSync(cwd, { recursive: true, force: true }));
    const replica = new Replica(child, `http://127.0.0.1:${port}`);
    const collect = (chunk: Buffer) => {
      replica.output = (replica.output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    try {
      // By default until it is healthy; `untilHealthy: false`, until it answers at all.
      const healthy = options.untilHealthy ?? true;
      await until(`the replica's /healthz to answer${healthy ? " 200" : ""}`, async () => {
        if (child.exitCode !== null) throw new Error(`roleguard serve exited (${child.exitCode}):\n${replica.output}`);
        const status = (await fetch(`${replica.base}/healthz`).catch(() => undefined))?.status;
        return healthy ? status === 200 : status !== undefined;
      }, 30_000, 100);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
    return replica;
  }

  /** Posts a signed delivery; answers the status (and how long it took, for loose sanity bounds). */
  async deliver(event: string, payload: unknown, id: string = randomUUID()): Promise<{ status: number; ms: number; body: string }> {
    const body = JSON.stringify(payload);
    const started = Date.now();
    const response = await fetch(`${this.base}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id, "x-hub-signature-256": sign(body) },
      body,
    });
    return { status: response.status, ms: Date.now() - started, body: await response.text() };
  }

  async health(): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.base}/healthz`);
    return { status: response.status, body: await response.json() };
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill(signal);
    return exited;
  }
}

export function sign(body: string): string {
  return `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
}
