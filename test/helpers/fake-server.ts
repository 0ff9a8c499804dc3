import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeGitHub } from "./fake-github.js";

/**
 * Serves a FakeGitHub over real HTTP (for the load bench, where nock's
 * in-process interception would hide the cost of real sockets). Every request
 * waits `latencyMs` before the fake answers it, as a distant GitHub would.
 * Requests under `/__bench/` go to `control` instead, with no delay: the
 * bench's own set-up calls, which are not GitHub's API.
 */
export interface FakeServerOptions {
  latencyMs?: number;
  host?: string;
  port?: number;
  control?: (method: string, path: string, body: unknown) => Promise<[number, unknown]> | [number, unknown];
}

export class FakeServer {
  private fake: FakeGitHub | undefined;
  inFlight = 0;
  peakInFlight = 0;

  private constructor(
    readonly server: Server,
    readonly url: string,
    private readonly options: FakeServerOptions,
  ) {}

  /** Listens first (the fake's base URL must name the port, for pagination links), then `serve(fake)`. */
  static async listen(options: FakeServerOptions = {}): Promise<FakeServer> {
    let self: FakeServer | undefined;
    const server = createServer((request, response) => {
      if (!self) return void response.writeHead(503).end();
      self.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: `fake server: ${(error as Error).message}` }));
      });
    });
    server.keepAliveTimeout = 60_000;
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
    const { port } = server.address() as AddressInfo;
    self = new FakeServer(server, `http://${host}:${port}`, options);
    return self;
  }

  serve(fake: FakeGitHub): this {
    this.fake = fake;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const uri = request.url ?? "/";
    const method = request.method ?? "GET";
    if (uri.startsWith("/__bench/")) {
      const [status, data] = await (this.options.control?.(method, uri, body ? JSON.parse(body) : undefined) ?? [404, { message: "no control" }]);
      return send(response, status, data);
    }
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      if (!this.fake) return send(response, 503, { message: "no fake served yet" });
      const [status, data, headers] = this.fake.route(method, uri, body, request.headers) as readonly [number, unknown?, unknown?];
      // The fake answers headers as a plain object ({ etag }, { link }).
      send(response, status, data, (headers ?? {}) as Record<string, string>);
    } finally {
      this.inFlight--;
    }
  }
}

/** As nock answers: objects as JSON, strings (raw file contents, an empty 304) as they are. */
function send(response: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
  if (data === undefined || data === "" || status === 304) {
    response.writeHead(status, headers).end();
  } else if (typeof data === "string" || Buffer.isBuffer(data)) {
    response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers }).end(data);
  } else {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(data));
  }
}
