import * as z from "zod";
import { PullRequestSchema, RepositorySchema } from "./payload.js";

/**
 * The zod schemas of the webhook events the app handles, shared by the
 * handlers (src/app/index.ts, which skip a payload that does not fit) and the
 * server's ingress (which answers such a delivery 400 before any client is
 * created for it).
 */
export const SenderSchema = z.object({ login: z.string(), type: z.string().optional() });

export const PullRequestEventSchema = z.object({
  action: z.string(),
  repository: RepositorySchema,
  pull_request: PullRequestSchema,
  changes: z.object({ base: z.unknown().optional() }).loose().optional(),
  label: z.object({ name: z.string() }).optional(),
  sender: SenderSchema.optional(),
});

export const MergeGroupEventSchema = z.object({
  repository: RepositorySchema,
  merge_group: z.object({ head_sha: z.string(), head_ref: z.string(), base_sha: z.string() }),
});

export const CommentEventSchema = z.object({
  action: z.string(),
  repository: RepositorySchema,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
  comment: z.object({ id: z.number().int(), body: z.string().nullish(), user: SenderSchema, created_at: z.string() }),
  sender: SenderSchema.optional(),
  changes: z.object({ body: z.object({ from: z.string() }).optional() }).loose().optional(),
});

/** check_run and check_suite payloads name their PRs only by number and SHAs. */
export const ChecksEventSchema = z.object({
  repository: RepositorySchema,
  head_sha: z.string(),
  pull_requests: z.array(z.object({ number: z.number().int().positive() }).loose()).default([]),
});

/** installation.created and installation_repositories.added: the repositories to sweep. */
const InstallationEventSchema = z.object({
  repositories: z.array(z.object({ full_name: z.string().optional() }).loose()).nullish(),
  repositories_added: z.array(z.object({ full_name: z.string().optional() }).loose()).nullish(),
});

/**
 * Every delivery: a JSON object; its `installation`, when it names one, by a
 * positive integer id (the client is made for that id: anything else would
 * authenticate as some other installation, or as none).
 */
const EnvelopeSchema = z
  .object({
    action: z.string().optional(),
    installation: z.object({ id: z.number().int().positive() }).loose().optional(),
  })
  .loose();

type Check = (payload: Record<string, unknown>) => z.ZodSafeParseResult<unknown>;

const checks = (payload: Record<string, unknown>, key: "check_run" | "check_suite") => {
  const inner = payload[key];
  // The handlers read the run (or suite) beside the repository; a run that is not an object cannot be read.
  if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return z.object({ [key]: z.object({}) }).safeParse(payload);
  return ChecksEventSchema.safeParse({ ...inner, repository: payload.repository });
};

/** The schema each handled event is parsed with, by event name (the handlers' actions of it). */
const HANDLED: Record<string, { actions?: readonly string[]; check: Check }> = {
  pull_request: {
    actions: ["opened", "reopened", "synchronize", "ready_for_review", "edited", "labeled", "unlabeled"],
    check: (payload) => PullRequestEventSchema.safeParse(payload),
  },
  pull_request_review: { actions: ["submitted", "dismissed"], check: (payload) => PullRequestEventSchema.safeParse(payload) },
  issue_comment: { actions: ["created", "edited", "deleted"], check: (payload) => CommentEventSchema.safeParse(payload) },
  check_run: { actions: ["rerequested", "requested_action"], check: (payload) => checks(payload, "check_run") },
  check_suite: { actions: ["requested", "rerequested"], check: (payload) => checks(payload, "check_suite") },
  merge_group: { actions: ["checks_requested"], check: (payload) => MergeGroupEventSchema.safeParse(payload) },
  installation: { actions: ["created"], check: (payload) => InstallationEventSchema.safeParse(payload) },
  installation_repositories: { actions: ["added"], check: (payload) => InstallationEventSchema.safeParse(payload) },
};

/**
 * Why this delivery's payload cannot be handled, or undefined when it can: not
 * an object, a wrongly typed installation id, or (for an event and action the
 * app handles) a payload its handler's schema refuses. Names the first fields
 * at fault, never their values.
 */
export function payloadProblem(name: string, payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return "the payload is not a JSON object";
  const envelope = EnvelopeSchema.safeParse(payload);
  if (!envelope.success) return describe(envelope.error);
  const handled = HANDLED[name];
  if (!handled) return undefined;
  const action = envelope.data.action;
  if (handled.actions && (action === undefined || !handled.actions.includes(action))) return undefined;
  const parsed = handled.check(payload as Record<string, unknown>);
  return parsed.success ? undefined : describe(parsed.error);
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`)
    .join("; ");
}
