import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { installedVersion } from "./version.js";
import type { PolicyError } from "./errors.js";
import type { RoleAssignment } from "./policy/change.js";
import type { Report } from "./policy/report.js";
import type { ResolvedPolicy } from "./sources/resolved-policy.js";
import type { RoleSource } from "./roles/resolve.js";
import type { ResolvedRole } from "./roles/schema.js";

// Every command loads what it needs when it runs (issue 13): `--version`, `--help` and `roles lint` never pay
// for the engine, the dependency parsers or YAML; `check --pr` never loads the local git reader, nor Probot.

export interface CliIo {
  cwd: string;
  /** The environment (GITHUB_TOKEN, GITHUB_API_URL...); the process's when absent. */
  env?: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input, for `roleguard hook` (the process's when absent). */
  stdin?: () => Promise<string>;
}

/** Exit codes of SPEC §9. */
export const EXIT = { ok: 0, blocked: 1, usage: 2 } as const;

class UsageError extends Error {}

/** Errors that end a command with a message and exit 2, never a stack trace (GitError and its GitUnavailableError, InvalidPatternError, PrCheckError). */
const USAGE_ERRORS = new Set(["GitError", "GitUnavailableError", "InvalidPatternError", "PrCheckError"]);

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
    .version(installedVersion(), "-V, --version", "print roleguard's version")
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
    .action(async (paths: string[]) => {
      exitCode = await lint(paths, io);
    });
  roles
    .command("show")
    .argument("<id>", "role id")
    .option("--base <ref>", "read the repository's role files and config as of this ref (default: the upstream branch, else main)")
    .option("--config <file>", "config file to use instead of .github/roleguard.yml at the base ref (its roles.paths)")
    .option("--roles <dir>", "role files that take precedence over the repository's and the built-in ones")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .description("print a role as resolved after inheritance, finding the repository's role files as check does")
    .action(async (id: string, options: ShowOptions) => {
      exitCode = await show(id, options, io);
    });

  program
    .command("hook")
    .description("PreToolUse hook for coding agents: exit 2 (with the reason on stderr) for a write the role forbids")
    .option("--role <id...>", "the agent's role (or ROLEGUARD_ROLE)")
    .option("--author <login>", "resolve the role through the config's assign entries")
    .option("--base <ref>", "where the policy is read (default: the upstream branch, else main)")
    .allowExcessArguments(false)
    .action(async (options: { role?: string[]; author?: string; base?: string }) => {
      // `roleguard hook` from bin.ts skips commander for speed; this path serves --help and in-process callers.
      const { runHook } = await import("./hook/run.js");
      const args = [...(options.role ?? []).flatMap((id) => ["--role", id]), ...(options.author ? ["--author", options.author] : []), ...(options.base ? ["--base", options.base] : [])];
      exitCode = await runHook(args, { cwd: io.cwd, env: io.env ?? process.env, stdin: io.stdin ?? (async () => ""), stderr: io.stderr });
    });

  program
    .command("history")
    .description("replay the first-parent history through the engine with today's policy: verdicts, categories, timing")
    .option("--max <n>", "replay at most this many changes, newest first", "200")
    .option("--role <id...>", "hold every change to these roles (default: the config's default_role and roles commits declare)")
    .option("--head <ref>", "whose first-parent history, and where the policy is read", "HEAD")
    .option("--config <file>", "config file to use instead of .github/roleguard.yml at the head")
    .option("--roles <dir>", "extra role files, taking precedence over the repository's")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: import("./history/run.js").HistoryOptions) => {
      const { runHistory } = await import("./history/run.js");
      exitCode = await runHistory(options, { cwd: io.cwd, env: io.env ?? process.env, stdout: io.stdout, stderr: io.stderr, stderrIsTTY: io === defaultIo && process.stderr.isTTY === true });
    });

  program
    .command("serve")
    .description("run the GitHub App (Probot server)")
    .option("--port <port>", "port to listen on (default: PORT, else 3000)")
    .action(async (options: { port?: string }) => {
      // Loaded on demand: the CLI's other commands never pay for Probot's start-up.
      const { startServe, ServeError } = await import("./server.js");
      // With no APP_ID this is the set-up page that registers the app; a ServeError says what is missing, in one line.
      const running = await startServe(options.port ? { port: Number(options.port) } : {}).catch((error: unknown) => {
        throw error instanceof ServeError ? new UsageError(error.message) : error;
      });
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
    // A pattern the loaders did not catch still ends as a message and exit 2, never a stack trace.
    // By name: the modules that throw them are loaded only by the commands that need them.
    if (error instanceof UsageError || (error instanceof Error && USAGE_ERRORS.has(error.name))) {
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
    const [{ checkPullRequest }, render] = await Promise.all([import("./pr-check.js"), loadRenderers(options.format)]);
    const { report, policyErrors } = await checkPullRequest(options.pr, io.env ?? process.env);
    printReport(report, options.format, io, render);
    return policyErrors > 0 ? EXIT.usage : report.conclusion === "success" || report.conclusion === "neutral" ? EXIT.ok : EXIT.blocked;
  }
  if (options.author && options.role) throw new UsageError("give --author or --role, not both");
  const [{ GitRepository }, { policyEdits, touchesPolicy }, cache, { assignRoles }, { declaredRoles }, { evaluate }, render] = await Promise.all([
    import("./sources/git.js"),
    import("./policy/policy-files.js"),
    import("./sources/resolved-policy.js"),
    import("./policy/assign.js"),
    import("./policy/declared.js"),
    import("./policy/evaluate.js"),
    loadRenderers(options.format),
  ]);
  const repo = new GitRepository(io.cwd);
  const baseRef = options.base ?? (await repo.defaultBase());
  const { baseSha, headSha, baseTree, gitDir } = await repo.resolveRange(baseRef, options.head);
  const mergeBase = await repo.mergeBase(baseSha, headSha);
  // Independent git calls run side by side (each is a process of its own); none depends on the policy.
  const changing = repo.diff(mergeBase, headSha);
  const messages = repo.commitMessages(mergeBase, headSha);
  const workTree = repo.workTreeEdits(baseSha);
  for (const read of [changing, messages, workTree]) read.catch(() => undefined);

  // The policy as an earlier check on this base tree resolved it, when nothing else can change it:
  // --config and --roles read files outside git, and a change to a policy file is validated as proposed.
  const cacheKey = options.config || options.roles ? undefined : `${baseTree}:${installedVersion()}`;
  const cached = cacheKey ? cache.readCachedResolvedPolicy(gitDir, cacheKey) : undefined;
  const change = { ...(await changing), headSha };
  const reader = repo.reader(mergeBase, headSha);
  let policy: ResolvedPolicy;
  let proposedErrors: PolicyError[] = [];
  if (cached && !touchesPolicy(change, cached.config)) {
    policy = cached;
  } else {
    const overrides = {
      label: baseRef,
      env: io.env ?? process.env,
      ...(options.config ? { configFile: resolve(io.cwd, options.config) } : {}),
      ...(options.roles ? { rolesDir: resolve(io.cwd, options.roles) } : {}),
    };
    const resolved = await cache.resolvePolicyAtRef(repo, baseSha, overrides, change, reader);
    ({ policy, proposedErrors } = resolved);
    if (cacheKey && !resolved.readsGitHub) cache.cacheResolvedPolicy(gitDir, cacheKey, policy);
  }
  const edits = policyEdits(await workTree, policy.config);
  if (!options.config && edits.config.length > 0) {
    io.stderr(`roleguard: note: the working tree changes ${edits.config.join(", ")}, but check uses it as it is at ${baseRef} (a change cannot loosen its own rules); to try your edit, pass --config ${edits.config[0]}\n`);
  }
  if (!options.roles && edits.roles.length > 0) {
    const shown = edits.roles.slice(0, 3).join(", ") + (edits.roles.length > 3 ? ` and ${edits.roles.length - 3} more` : "");
    io.stderr(`roleguard: note: the working tree changes role files (${shown}), but check uses them as they are at ${baseRef}; to try your edits, pass --roles ${dirname(edits.roles[0] as string)}\n`);
  }
  const { roleSet, configErrors } = policy;
  const warnings = [...policy.warnings];
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

  if (options.body) change.body = readTextArgument(resolve(io.cwd, options.body), "--body");
  // An agent's own `Roleguard-Role:` trailer (or PR body line) adds its role, as in the app; --role is explicit and stands alone.
  const declared = options.role ? { assignments: [], warnings: [] } : declaredRoles([...(change.body ? [{ where: "the PR description", text: change.body }] : []), ...(await messages)], roleSet);
  assignments = [...assignments, ...declared.assignments];
  warnings.push(...declared.warnings);

  const report = await evaluate({
    change,
    assignments,
    roleSet,
    config: policy.config,
    reader,
    errors: [...configErrors, ...proposedErrors],
    warnings,
    neutralReason: options.author ? `${options.author} matches no assign entry and there is no default_role` : "no --author or --role given, and the config has no default_role",
  });
  printReport(report, options.format, io, render);
  if (loadErrors.length > 0) {
    io.stderr(`roleguard: the policy at ${baseRef} has errors (exit 2); fix them, or try a corrected file with --config FILE / --roles DIR\n`);
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

/**
 * The report on stdout, each policy error once, grouped under the file it is
 * in: in the text report itself, and for json and markdown (documents for
 * programs and pages) on stderr, where the person running the command reads.
 */
interface Renderers {
  formatErrorsByFile: (errors: readonly PolicyError[], indent?: string) => string;
  render: (report: Report) => string;
}

/** The renderer of the chosen format only: a text report never loads the Markdown renderer and its escaping, nor JSON either. */
async function loadRenderers(format: CheckOptions["format"]): Promise<Renderers> {
  const [{ formatErrorsByFile }, render] = await Promise.all([
    import("./errors.js"),
    format === "text"
      ? import("./report/text.js").then((module) => module.renderText)
      : format === "markdown"
        ? import("./report/markdown.js").then((module) => module.renderMarkdown)
        : (report: Report) => `${JSON.stringify(report, null, 2)}\n`,
  ]);
  return { formatErrorsByFile, render };
}

function printReport(report: Report, format: CheckOptions["format"], io: CliIo, { formatErrorsByFile, render }: Renderers): void {
  const errors = report.errors.length > 0 ? formatErrorsByFile(report.errors, "  ") : "";
  if (format === "text") {
    // The title quotes the first error (a check run's title must say it); here the list below does.
    const count = report.errors.length;
    const title = count > 0 ? `${count} policy error${count === 1 ? "" : "s"}, listed below by file` : report.title;
    io.stdout(`${render({ ...report, title, errors: [] })}${errors ? `\nPolicy errors, by file\n${errors}` : ""}`);
    return;
  }
  io.stdout(render(report));
  if (errors) io.stderr(`roleguard: policy errors, by file:\n${errors}`);
}

/**
 * One line per file, `ok` with the role id or `error`, and below it, indented,
 * each of that file's errors and warnings once. Exit 2 when a file does not
 * load; warnings (an unknown category, which the config may still give paths)
 * leave the exit code alone.
 */
async function lint(paths: string[], io: CliIo): Promise<number> {
  const [{ formatPolicyErrorDetail, groupErrorsByFile }, { builtinRoleSource }, { lintRoleFiles }, { readRoleDir }] = await Promise.all([
    import("./errors.js"),
    import("./roles/builtin.js"),
    import("./roles/lint.js"),
    import("./sources/local-policy.js"),
  ]);
  const readErrors: PolicyError[] = [];
  const builtin = builtinRoleSource();
  const sources: RoleSource[] = [builtin];
  let linted: RoleSource["files"];
  if (paths.length === 0) {
    linted = builtin.files;
  } else {
    linted = paths.flatMap((path) => readRoleDir(resolve(io.cwd, path), readErrors, io.cwd));
    sources.push({ layer: "command line", files: linted });
  }
  const details = (problems: readonly PolicyError[], label = "") => problems.map((problem) => `      ${label}${formatPolicyErrorDetail(problem)}\n`).join("");
  const results = lintRoleFiles(sources, linted);
  for (const result of results) {
    if (result.errors.length > 0) {
      io.stdout(`error ${result.file}\n${details(result.errors)}${details(result.warnings, "warning: ")}`);
      continue;
    }
    const parents = result.role && result.role.ancestors.length > 0 ? ` (inherits ${result.role.ancestors.join(" → ")})` : "";
    io.stdout(`ok    ${result.file}: ${result.role?.id ?? "?"}${parents}\n${details(result.warnings, "warning: ")}`);
  }
  for (const [file, errors] of groupErrorsByFile(readErrors)) io.stdout(`error ${file}\n${details(errors.map((error) => ({ ...error, file: "" })))}`);
  return readErrors.length > 0 || results.some((result) => result.errors.length > 0) ? EXIT.usage : EXIT.ok;
}

interface ShowOptions {
  base?: string;
  config?: string;
  roles?: string;
  format: string;
}

/**
 * The role as `check` would hold a change to it: the built-in roles, the
 * repository's role files at the base ref (where the config's `roles.paths`
 * says), then `--roles`. Outside a git repository, the built-in roles and `--roles`.
 */
async function show(id: string, options: ShowOptions, io: CliIo): Promise<number> {
  const [{ formatErrorsByFile }, { builtinRoleSource }, { buildRoleSet }, { GitError, GitRepository, GitUnavailableError }, { loadPolicyAtRef, readRoleDir }, { hintFor }] = await Promise.all([
    import("./errors.js"),
    import("./roles/builtin.js"),
    import("./roles/resolve.js"),
    import("./sources/git.js"),
    import("./sources/local-policy.js"),
    import("./suggest.js"),
  ]);
  const errors: PolicyError[] = [];
  let sources: RoleSource[];
  const repo = new GitRepository(io.cwd);
  const rolesDir = options.roles ? resolve(io.cwd, options.roles) : undefined;
  if ((await repo.git(["rev-parse", "--verify", "--quiet", "HEAD"], { allowFailure: true })).trim()) {
    // No upstream and no main (a detached CI checkout): the checked-out commit is the policy there is.
    const baseRef = options.base ?? (await repo.defaultBase().catch((error: unknown) => (error instanceof GitError && !(error instanceof GitUnavailableError) ? "HEAD" : Promise.reject(error))));
    const policy = await loadPolicyAtRef(repo, await repo.resolve(baseRef as string), {
      label: baseRef,
      env: io.env ?? process.env,
      ...(options.config ? { configFile: resolve(io.cwd, options.config) } : {}),
      ...(rolesDir ? { rolesDir } : {}),
    });
    sources = policy.roleSources;
    errors.push(...policy.errors);
  } else {
    if (options.base || options.config) throw new UsageError("--base and --config need a git repository with commits; outside one, roles show knows the built-in roles and --roles");
    sources = [builtinRoleSource(), ...(rolesDir ? [{ layer: "command line" as const, files: readRoleDir(rolesDir, errors, io.cwd) }] : [])];
  }
  const set = buildRoleSet(sources);
  errors.push(...set.errors);
  const role = set.roles.get(id);
  const listed = errors.length > 0 ? formatErrorsByFile(errors, "  ") : "";
  if (!role) {
    const hint = hintFor(id, [...set.roles.keys()]);
    io.stderr(`roleguard: unknown role ${id}${hint ? ` (${hint})` : ""}; known roles: ${[...set.roles.keys()].sort().join(", ")}\n${listed ? `policy errors, by file:\n${listed}` : ""}`);
    return EXIT.usage;
  }
  if (listed) io.stderr(`roleguard: note: other policy files have errors (roleguard roles lint shows them per file):\n${listed}`);
  const view = describeRole(role, set.layerOf.get(id) ?? "built-in");
  io.stdout(options.format === "json" ? `${JSON.stringify(view, null, 2)}\n` : (await import("./yaml.js")).yamlText(view));
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
