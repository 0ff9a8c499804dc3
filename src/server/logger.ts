import { getTransformStream } from "@probot/pino";
import pino, { type Logger } from "pino";

/** No log line is longer than this (bytes); a longer one is replaced by a short line saying so. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;
/** Strings in a log object are cut at this many characters: a comment, a diff or a response never lands whole in the logs. */
export const MAX_LOGGED_STRING = 2_000;
const MAX_LOGGED_ITEMS = 50;
const MAX_DEPTH = 6;

/** Where tokens and keys sit in what the app and its libraries log; pino writes "[redacted]" instead. */
export const REDACTED_PATHS = [
  "authorization",
  "headers.authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.*.headers.authorization",
  "request.headers.authorization",
  "err.request.headers.authorization",
  "token",
  "*.token",
  "*.*.token",
  "privateKey",
  "*.privateKey",
  "private_key",
  "*.private_key",
  "secret",
  "*.secret",
  "webhookSecret",
  "*.webhookSecret",
  "password",
  "*.password",
  'headers["x-hub-signature-256"]',
  '*.headers["x-hub-signature-256"]',
];

/** Cuts long strings and long arrays, and deep nesting, anywhere in a value. */
export function truncateForLog(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.length > MAX_LOGGED_STRING ? `${value.slice(0, MAX_LOGGED_STRING)}… [${value.length - MAX_LOGGED_STRING} more characters]` : value;
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_LOGGED_ITEMS).map((item) => truncateForLog(item, depth + 1));
    return value.length > MAX_LOGGED_ITEMS ? [...kept, `… ${value.length - MAX_LOGGED_ITEMS} more items`] : kept;
  }
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, each] of Object.entries(value)) out[key] = truncateForLog(each, depth + 1);
  return out;
}

/**
 * Errors as pino logs them, minus what must not be logged: Octokit's errors
 * carry the request (headers, body) and the response (its body); only the
 * method, URL and status stay. Messages and stacks are cut.
 */
export function errorForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return truncateForLog(error);
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const { request, response, ...rest } = serialized;
  const req = request as { method?: string; url?: string } | undefined;
  const res = response as { status?: number; url?: string } | undefined;
  return truncateForLog({
    ...rest,
    ...(req ? { request: { method: req.method, url: req.url } } : {}),
    ...(res ? { response: { status: res.status, url: res.url } } : {}),
  });
}

/** A delivery as Probot logs it at debug: its id, name and action, not its payload. */
function eventForLog(event: unknown): unknown {
  const { id, name, payload } = (event ?? {}) as { id?: unknown; name?: unknown; payload?: { action?: unknown } };
  return { id, name, action: payload?.action };
}

/** The last guard: a line over MAX_LOG_LINE_BYTES becomes a short one that names its level, message and size. */
export function capLine(line: string): string {
  if (line.length * 3 < MAX_LOG_LINE_BYTES || Buffer.byteLength(line) <= MAX_LOG_LINE_BYTES) return line;
  let head: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    head = { level: parsed.level, time: parsed.time, name: parsed.name, id: parsed.id, msg: truncateForLog(parsed.msg) };
  } catch {
    head = { level: 40 };
  }
  return `${JSON.stringify({ ...head, truncated: `a log line of ${Buffer.byteLength(line)} bytes was cut to its message` })}\n`;
}

/**
 * The server's logger, handed to Probot (so the app's, Probot's and
 * Octokit's lines all go through it): Probot's format (LOG_FORMAT json or
 * pretty), plus redaction of credentials, truncation of long values and a
 * 64 kB cap on every line.
 */
export async function createLogger(options: { level?: string; format?: string; destination?: NodeJS.WritableStream } = {}): Promise<Logger> {
  const transform = await getTransformStream({ logFormat: options.format === "pretty" ? "pretty" : "json", logLevelInString: process.env.LOG_LEVEL_IN_STRING === "true" });
  transform.pipe(options.destination ?? (pino.destination(1) as unknown as NodeJS.WritableStream));
  return pino(
    {
      level: options.level ?? "info",
      name: "probot",
      messageKey: process.env.LOG_MESSAGE_KEY ?? "msg",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: errorForLog, error: errorForLog, event: eventForLog },
      formatters: { log: (object) => truncateForLog(object) as Record<string, unknown> },
      hooks: { streamWrite: capLine },
    },
    transform,
  );
}
