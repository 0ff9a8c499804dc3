import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { stringify } from "yaml";
import { formatPolicyError, type PolicyError } from "./errors.js";
import { assignRoles } from "./policy/assign.js";
import type { RoleAssignment } from "./policy/change.js";
import { evaluate } from "./policy/evaluate.js";
import { configNameErrors, validateProposedPolicy } from "./policy/proposed.js";
import type { Report } from "./policy/report.js";
import { renderMarkdown } from "./report/markdown.js";
import { renderText } from "./report/text.js";
import { builtinRoleSource } from "./roles/builtin.js";
import { buildRoleSet, type RoleSource } from "./roles/resolve.js";
import type { ResolvedRole } from "./roles/schema.js";
import { GitError, GitRepository } from "./sources/git.js";
import { loadPolicyAtRef, readRoleDir } from "./sources/local-policy.js";

export interface CliIo {
  cwd: string;
  /** The environment (GITHUB_TOKEN, GITHUB_API_URL...); the process's when absent. */
  env?: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Exit codes of SPEC §9. */
export const EXIT = { ok: 0, blocked: 1, usage: 2 } as const;

class UsageError extends Error {}

const defaultIo: CliIo = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs one roleguard command and returns its exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("roleguard")
    .description("Holds pull requests to the role of whoever wrote them.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command("check")
    .description("evaluate the change from the merge base of --base and --head to --head")
    .option("--base <ref>", "base ref (default: the upstream branch, else main)")
    .option("--head <ref>", "head ref", "HEAD")
    .option("--author <login>", "PR author login, matched against the config's assign entries")
    .option("--role <id...>", "hold the change to these roles (instead of --author)")
    .option("--config <file>", "config file to use instead of .github/roleguard.yml at the base ref")
    .option("--roles <dir>", "extra role files, taking precedence over the repository's")
    .option("--body <file>", "PR description to read (for a stated confidence)")
    .option("--pr <owner/repo#n>", "dry run over a GitHub pull request (needs GITHUB_TOKEN; posts nothing)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .action(async (options: CheckOptions) => {
      exitCode = await check(options, io);
    });

  const roles = program.command("roles").description("inspect role files");
  roles
    .command("lint")
    .argument("[paths...]", "role files or folders (default: the built-in roles)")
    .description("load role files and report each one (exit 2 when any fails)")
    .action((paths: string[]) => {
      exitCode = lint(paths, io);
    });
  roles
    .command("show")
    .argument("<id>", "role id")
    .option("--roles <dir>", "role files to load besides the built-in ones")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .description("print a role as resolved after inheritance")
    .action((id: string, options: { roles?: string; format: string }) => {
      exitCode = show(id, options, io);
    });

  program
    .command("serve")
    .description("run the GitHub App (Probot server)")
    .option("--port <port>", "port to listen on (default: PORT, else 3000)")
    .action(async (options: { port?: string }) => {
      // Loaded on demand: the CLI's other commands never pay for Probot's start-up.
      const { serve } = await import("./server.js");
      const running = await serve(options.port ? { port: Number(options.port) } : {});
      // Graceful shutdown: finish evaluations in flight (a container gets SIGTERM, then SIGKILL after a grace period).
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
          void running.stop().then(() => process.exit(0));
        });
      }
      exitCode = EXIT.ok;
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof GitError || (error instanceof Error && error.name === "PrCheckError")) {
      io.stderr(`roleguard: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}

interface CheckOptions {
  base?: string;
  head: string;
  author?: string;
  role?: string[];
  config?: string;
  roles?: string;
  body?: string;
  pr?: string;
  format: "text" | "json" | "markdown";
}

async function check(options: CheckOptions, io: CliIo): Promise<number> {
  if (options.pr) {
    if (options.author || options.role || options.base || options.config || options.roles || options.body) {
      throw new UsageError("--pr takes the author, base, config and roles from the pull request and its repository's default branch; drop the other options");
    }
    const { checkPullRequest } = await import("./pr-check.js");
    const { report, policyErrors } = await checkPullRequest(options.pr, io.env ?? process.env);
    io.stdout(render(report, options.format));
    return policyErrors > 0 ? EXIT.usage : report.conclusion === "success" || report.conclusion === "neutral" ? EXIT.ok : EXIT.blocked;
  }
  if (options.author && options.role) throw new UsageError("give --author or --role, not both");
  const repo = new GitRepository(io.cwd);
  const baseRef = options.base ?? (await repo.defaultBase());
  const [baseSha, headSha] = [await repo.resolve(baseRef), await repo.resolve(options.head)];
  const mergeBase = await repo.mergeBase(baseSha, headSha);

  const policy = await loadPolicyAtRef(repo, baseSha, {
    label: baseRef,
    ...(options.config ? { configFile: resolve(io.cwd, options.config) } : {}),
    ...(options.roles ? { rolesDir: resolve(io.cwd, options.roles) } : {}),
  });
  const roleSet = buildRoleSet(policy.roleSources);
  const configErrors = [...policy.errors, ...configNameErrors(policy.configFiles, roleSet)];
  const loadErrors = [...configErrors, ...roleSet.errors];

  let assignments: RoleAssignment[];
  if (options.role) {
    const unknown = options.role.filter((id) => !roleSet.roles.has(id));
    if (unknown.length > 0) {
      throw new UsageError(`unknown role ${unknown.join(", ")}; known roles: ${[...roleSet.roles.keys()].sort().join(", ")}`);
    }
    assignments = options.role.map((id) => ({ id, source: "--role" }));
  } else {
    assignments = await assignRoles(policy.config, options.author ? { login: options.author } : {});
  }

  const change = { ...(await repo.diff(mergeBase, headSha)), headSha };
  if (options.body) change.body = readTextArgument(resolve(io.cwd, options.body), "--body");
  const reader = repo.reader(mergeBase, headSha);
  const proposedErrors = await validateProposedPolicy(change, reader, policy);

  const report = await evaluate({
    change,
    assignments,
    roleSet,
    config: policy.config,
    reader,
    errors: [...configErrors, ...proposedErrors],
    warnings: policy.warnings,
    neutralReason: options.author ? `${options.author} matches no assign entry and there is no default_role` : "no --author or --role given, and the config has no default_role",
  });
  io.stdout(render(report, options.format));
  if (loadErrors.length > 0) {
    io.stderr(`roleguard: the policy at ${baseRef} has errors:\n${loadErrors.map((error) => `  ${formatPolicyError(error)}`).join("\n")}\n`);
    return EXIT.usage;
  }
  return report.conclusion === "success" || report.conclusion === "neutral" ? EXIT.ok : EXIT.blocked;
}

function readTextArgument(path: string, option: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function render(report: Report, format: CheckOptions["format"]): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "markdown") return renderMarkdown(report);
  return renderText(report);
}

/** One line per file: ok with the role id, or every error of that file. */
function lint(paths: string[], io: CliIo): number {
  const readErrors: PolicyError[] = [];
  const builtin = builtinRoleSource();
  const sources: RoleSource[] = [builtin];
  let linted: string[];
  if (paths.length === 0) {
    linted = builtin.files.map((file) => file.path);
  } else {
    const files = paths.flatMap((path) => readRoleDir(resolve(io.cwd, path), readErrors, io.cwd));
    sources.push({ layer: "command line", files });
    linted = files.map((file) => file.path);
  }
  const set = buildRoleSet(sources);
  const errors = [...readErrors, ...set.errors];
  const idByFile = new Map([...set.roles.values()].map((role) => [role.file, role]));
  for (const file of linted) {
    const own = errors.filter((error) => error.file === file);
    if (own.length > 0) {
      io.stdout(`error ${file}: ${own.map((error) => formatPolicyError({ ...error, file: "" }).replace(/^: /, "")).join("; ")}\n`);
      continue;
    }
    const role = idByFile.get(file);
    const parents = role && role.ancestors.length > 0 ? ` (inherits ${role.ancestors.join(" → ")})` : "";
    io.stdout(`ok    ${file}: ${role?.id ?? "?"}${parents}\n`);
  }
  for (const error of readErrors) io.stdout(`error ${formatPolicyError(error)}\n`);
  for (const warning of set.warnings.filter((warning) => linted.some((file) => warning.startsWith(`${file}:`)))) {
    io.stderr(`warning ${warning}\n`);
  }
  return errors.some((error) => linted.includes(error.file) || readErrors.includes(error)) ? EXIT.usage : EXIT.ok;
}

function show(id: string, options: { roles?: string; format: string }, io: CliIo): number {
  const readErrors: PolicyError[] = [];
  const sources: RoleSource[] = [builtinRoleSource()];
  if (options.roles) sources.push({ layer: "command line", files: readRoleDir(resolve(io.cwd, options.roles), readErrors, io.cwd) });
  const set = buildRoleSet(sources);
  const role = set.roles.get(id);
  if (!role) {
    const related = [...readErrors, ...set.errors].map((error) => `  ${formatPolicyError(error)}\n`).join("");
    io.stderr(`roleguard: unknown role ${id}; known roles: ${[...set.roles.keys()].sort().join(", ")}\n${related}`);
    return EXIT.usage;
  }
  const view = describeRole(role, set.layerOf.get(id) ?? "built-in");
  io.stdout(options.format === "json" ? `${JSON.stringify(view, null, 2)}\n` : stringify(view, { lineWidth: 0 }));
  return EXIT.ok;
}

/** The resolved role, with each inherited entry saying where it came from. */
function describeRole(role: ResolvedRole, layer: string) {
  const sourced = (list: { value: string; from: string }[]) =>
    list.map((entry) => (entry.from === role.id ? entry.value : `${entry.value}  (from ${entry.from})`));
  return {
    role: role.id,
    file: role.file,
    layer,
    ...(role.description ? { description: role.description } : {}),
    inherits: role.ancestors,
    autonomy_level: role.autonomyLevel ?? null,
    forbidden_paths: sourced(role.forbiddenPaths),
    ...(role.allowedPaths ? { allowed_paths: sourced(role.allowedPaths) } : {}),
    requires_approval_for: sourced(role.requiresApprovalFor),
    escalation_criteria: sourced(role.escalationCriteria),
  };
}
