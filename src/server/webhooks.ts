import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "probot";
import { payloadProblem } from "../app/events.js";

/** GitHub caps a webhook payload at 25 MB; anything bigger is not GitHub's. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** Delivery ids are GUIDs; the id names the delivery's job, so anything else is refused. */
const DELIVERY_ID = /^[A-Za-z0-9._-]{1,128}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export interface VerifiedDelivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/** What to do with a delivery that passed every check: run it here, or queue it. */
export type Dispatch = (delivery: VerifiedDelivery) => Promise<{ status: number; body: string }>;

/**
 * The webhook endpoint, for one process and for replicas alike: the
 * delivery's headers, size, signature (Probot's own check, against
 * WEBHOOK_SECRET), JSON and shape are all
 * checked before anything else happens — a payload that is not an object,
 * names its installation by anything but a number, or does not fit the
 * schema of the event it claims to be is answered 400, before a GitHub
 * client is made for it. Then `dispatch` runs or queues it.
 */
export function webhookHandler(verify: (body: string, signature: string) => Promise<boolean>, dispatch: Dispatch, log: Logger) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const refuse = (status: number, error: string, extra: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...extra });
      response.end(JSON.stringify({ error }));
    };
    if (request.method !== "POST") return refuse(404, `Unknown route: ${request.method} ${(request.url ?? "/").split("?")[0]}`);
    const type = request.headers["content-type"];
    if (typeof type !== "string" || !/^\s*application\/json\s*(;|$)/u.test(type)) return refuse(415, 'Unsupported "Content-Type" header value. Must be "application/json"', { accept: "application/json" });
    const name = header(request, "x-github-event");
    const id = header(request, "x-github-delivery");
    const signature = header(request, "x-hub-signature-256");
    const missing = [["x-github-event", name], ["x-hub-signature-256", signature], ["x-github-delivery", id]].filter(([, value]) => value === undefined).map(([key]) => key);
    if (missing.length > 0) return refuse(400, `Required headers missing: ${missing.join(", ")}`);
    if (!DELIVERY_ID.test(id as string)) return refuse(400, "x-github-delivery is not a delivery id");
    if (!EVENT_NAME.test(name as string)) return refuse(400, "x-github-event is not an event name");

    let body: string;
    try {
      body = await readBody(request, MAX_PAYLOAD_BYTES);
    } catch (error) {
      // Past the limit the rest of the body is not read: the connection closes after the answer.
      const status = (error as { status?: number }).status ?? 400;
      return refuse(status, (error as Error).message, status === 413 ? { connection: "close" } : {});
    }
    if (!(await verify(body, signature as string).catch(() => false))) {
      log.warn({ id, event: name }, "refused a delivery whose signature does not match WEBHOOK_SECRET");
      return refuse(400, "signature does not match event payload and secret");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return refuse(400, "the payload is not JSON");
    }
    const problem = payloadProblem(name as string, payload);
    if (problem) {
      log.warn({ id, event: name, problem }, `refused a signed ${name} delivery that does not fit its schema: ${problem}`);
      return refuse(400, `unexpected ${name} payload: ${problem}`);
    }
    const answer = await dispatch({ id: id as string, name: name as string, payload: payload as Record<string, unknown> });
    if (response.headersSent) return;
    response.writeHead(answer.status, { "content-type": "text/plain" });
    response.end(answer.body);
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Not destroyed: that would close the socket before the 413 is written. The rest is drained unread.
        request.removeAllListeners("data");
        request.resume();
        reject(Object.assign(new Error(`payload over ${limit} bytes`), { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    request.on("error", reject);
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** Probot's answer for one process: 200 once the handlers finish, 202 after 9 s while they go on (GitHub gives up at 10 s). */
export function receiveHere(receive: (delivery: VerifiedDelivery) => Promise<void>, log: Logger, timeoutMs = 9_000): Dispatch {
  return async (delivery) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ status: number; body: string }>((resolve) => {
      timer = setTimeout(() => resolve({ status: 202, body: "still processing\n" }), timeoutMs);
    });
    const work = receive(delivery).then(
      () => ({ status: 200, body: "ok\n" }),
      (error: unknown) => {
        const first = (error as { errors?: unknown[] }).errors?.[0] ?? error;
        log.error({ err: first, id: delivery.id, event: delivery.name }, `delivery ${delivery.id} (${delivery.name}) failed: ${(first as Error).message ?? String(first)}`);
        const status = (first as { status?: unknown }).status;
        return { status: typeof status === "number" && status >= 400 && status < 600 ? status : 500, body: `${JSON.stringify({ error: `${(first as Error).name ?? "Error"}: ${(first as Error).message ?? ""}`.slice(0, 500) })}\n` };
      },
    );
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
