import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigSchema, type ConfigInput } from "../../src/config/schema.js";
import type { Approval, ChangedFile, FileReader, Override, RoleAssignment } from "../../src/policy/change.js";
import { evaluate, type EvaluationInput } from "../../src/policy/evaluate.js";
import { validateProposedPolicy } from "../../src/policy/proposed.js";
import { builtinRoleSource } from "../../src/roles/builtin.js";
import { buildRoleSet, type RoleSource } from "../../src/roles/resolve.js";
import {
  DEFAULT_TIMEOUT_SECONDS,
  defaultThreads,
  EvaluationPool,
  EvaluationTimeoutError,
  evaluationPoolSettings,
  evaluationWorkerFile,
} from "../../src/runtime/evaluation-pool.js";
import { engineReads, prefetchReads } from "../../src/runtime/evaluation-task.js";
import { roleFile } from "../helpers/engine.js";

const MISBEHAVING = fileURLToPath(new URL("../fixtures/runtime/misbehaving-worker.cjs", import.meta.url));

/** An engine input with its role files, and a reader over two in-memory trees that records (and can fail) reads. */
function scenario(s: {
  roles?: Record<string, string>;
  apply: string[];
  files: (ChangedFile | string)[];
  config?: ConfigInput;
  base?: Record<string, string>;
  head?: Record<string, string>;
  unreadable?: string[];
  approvals?: Approval[];
  overrides?: Override[];
}): { input: EvaluationInput; roleSources: RoleSource[]; reads: string[] } {
  const roleSources: RoleSource[] = [builtinRoleSource(), { layer: "repository", files: Object.entries(s.roles ?? {}).map(([path, text]) => ({ path, text })) }];
  const reads: string[] = [];
  const reader: FileReader = {
    read: async (side, path) => {
      reads.push(`${side}:${path}`);
      if (s.unreadable?.includes(`${side}:${path}`)) throw new Error("GitHub answered 502: Bad Gateway");
      return (side === "base" ? s.base : s.head)?.[path] ?? null;
    },
  };
  const assignments: RoleAssignment[] = s.apply.map((id, index) => ({ id, source: `assign[${index}].users: agent[bot]` }));
  const input: EvaluationInput = {
    change: { files: s.files.map((file) => (typeof file === "string" ? { path: file, status: "modified", sha: `sha-${file}` } : file)), headSha: "abc123", body: "Confidence: 60%" },
    assignments,
    roleSet: buildRoleSet(roleSources),
    config: ConfigSchema.parse(s.config ?? {}),
    reader,
    approvals: s.approvals ?? [],
    overrides: s.overrides ?? [],
    warnings: ["a warning from loading"],
    neutralReason: "@agent[bot] matches no assign entry",
  };
  return { input, roleSources, reads };
}

const DEPENDENCIES = roleFile(`
role: deps
constraints:
  requires_approval_for: [add_dependencies, remove_dependencies, update_dependencies]
`);

const pool = new EvaluationPool({ threads: 2, timeoutSeconds: 10 });
const pools = [pool];
function misbehavingPool(options: { threads?: number; timeoutSeconds: number }): EvaluationPool {
  const made = new EvaluationPool({ threads: options.threads ?? 2, timeoutSeconds: options.timeoutSeconds, workerFile: MISBEHAVING });
  pools.push(made);
  return made;
}

afterAll(async () => {
  await Promise.all(pools.map((each) => each.close()));
});

/** The report of the pool and of the engine in-process, as JSON text; and what each read. */
async function bothWays(built: ReturnType<typeof scenario>): Promise<{ pooled: string; inProcess: string; prefetched: string[]; engineRead: string[] }> {
  const files = await prefetchReads(built.input);
  const prefetched = built.reads.splice(0);
  const pooled = JSON.stringify(await pool.evaluate(built.input, built.roleSources, files), null, 2);
  const inProcess = JSON.stringify(await evaluate(built.input), null, 2);
  return { pooled, inProcess, prefetched, engineRead: built.reads };
}

describe("the evaluation pool gives the engine's report, byte for byte", () => {
  it("forbidden paths, renames and path categories", async () => {
    const built = scenario({
      apply: ["software-engineer-typescript-backend"],
      files: [".github/workflows/ci.yml", "workspace/ui/button.tsx", "src/api/orders.ts", { path: "src/new.ts", previousPath: "infrastructure/old.ts", status: "renamed", sha: "s1" }, { path: "db/migrations/001.sql", status: "added", sha: "s2" }],
    });
    const { pooled, inProcess } = await bothWays(built);
    expect(pooled).toBe(inProcess);
    expect(JSON.parse(pooled).conclusion).toBe("failure");
    expect(JSON.parse(pooled).findings.filter((finding: { state: string }) => finding.state === "violation").length).toBeGreaterThanOrEqual(2);
  });

  it("dependency changes read through the prefetched manifests: an edit, a copy, a removal, a lone lockfile, an unreadable and an unparsable manifest", async () => {
    const built = scenario({
      roles: { ".github/roles/deps.md": DEPENDENCIES },
      apply: ["deps"],
      files: [
        "package.json",
        { path: "services/api/package.json", previousPath: "package.json", status: "copied", sha: "c1" },
        { path: "requirements.txt", status: "removed" },
        "Cargo.lock",
        "go.mod",
        "composer.json",
        "src/index.ts",
      ],
      base: { "package.json": '{"dependencies":{"express":"^4.19.2"}}', "requirements.txt": "requests==2.31.0\n", "composer.json": '{"require":{"php":">=8.1"}}' },
      head: { "package.json": '{"dependencies":{"express":"^4.21.0","lodash":"^4.17.21"}}', "services/api/package.json": '{"dependencies":{"fastify":"^5.0.0"}}', "go.mod": "module x\n", "composer.json": "{ not json" },
      unreadable: ["base:go.mod"],
    });
    const { pooled, inProcess, prefetched, engineRead } = await bothWays(built);
    expect(pooled).toBe(inProcess);
    // The prefetch reads exactly what the engine reads: no more GitHub calls than before, and nothing missing.
    expect([...prefetched].sort()).toEqual([...engineRead].sort());
    expect(prefetched).not.toContain("base:services/api/package.json");
    const details = JSON.parse(pooled).findings.map((finding: { detail: string }) => finding.detail);
    expect(details).toEqual(expect.arrayContaining(["lodash ^4.17.21", "express ^4.19.2 → ^4.21.0", "fastify ^5.0.0", "requests ==2.31.0"]));
    expect(details.some((detail: string) => detail.includes("could not read go.mod: base not readable (GitHub answered 502: Bad Gateway)"))).toBe(true);
    expect(details.some((detail: string) => detail.startsWith("could not read composer.json: head does not parse"))).toBe(true);
  });

  it("approvals and overrides applied, with the decisions listed", async () => {
    const pending = {
      roles: { ".github/roles/r.md": roleFile("role: r\nconstraints:\n  forbidden_paths: [secrets/]\n  requires_approval_for: [database_migrations, deployment, commit]\n") },
      apply: ["r"],
      files: ["secrets/key.pem", "db/migrations/002.sql", "Dockerfile"],
    };
    const plain = await evaluate(scenario(pending).input);
    const migration = plain.findings.find((finding) => finding.category === "database_migrations")!;
    const built = scenario({
      ...pending,
      approvals: [{ categories: ["database_migrations"], by: "maintainer", at: "2026-01-01T00:00:00Z", covers: [migration.key], via: "comment" }, { categories: "all", by: "lead", via: "review" }],
      overrides: [{ by: "admin", reason: "rotating the key", at: "2026-01-02T00:00:00Z", via: "button" }],
    });
    const { pooled, inProcess } = await bothWays(built);
    expect(pooled).toBe(inProcess);
    const report = JSON.parse(pooled);
    expect(report.conclusion).toBe("success");
    expect(report.decisions).toHaveLength(3);
  });

  it("errors of the proposed policy and of the role files, observe mode, case-insensitive matching", async () => {
    const roles = { ".github/roles/r.md": roleFile("role: r\nconstraints:\n  forbidden_paths: [Secrets/]\n"), ".github/roles/broken.md": "---\nrole: [\n---\n" };
    const built = scenario({ roles, apply: ["r"], files: ["secrets/a.txt", ".github/roles/r.md"], config: { mode: "observe", case_insensitive: true }, head: { ".github/roles/r.md": "---\nrole: r\nconstraints: 5\n---\n" } });
    const proposed = await validateProposedPolicy(built.input.change, built.input.reader!, { config: built.input.config, configFiles: [], roleSources: built.roleSources });
    expect(proposed.length).toBeGreaterThan(0);
    built.input.errors = proposed;
    const { pooled, inProcess } = await bothWays(built);
    expect(pooled).toBe(inProcess);
    const report = JSON.parse(pooled);
    expect(report.errors.map((error: { file: string }) => error.file)).toEqual(expect.arrayContaining([".github/roles/r.md", ".github/roles/broken.md"]));
  });

  it("neutral: no role applies, and nothing is read", async () => {
    const built = scenario({ roles: { ".github/roles/deps.md": DEPENDENCIES }, apply: [], files: ["package.json"] });
    expect(engineReads(built.input)).toEqual([]);
    const { pooled, inProcess } = await bothWays(built);
    expect(pooled).toBe(inProcess);
    expect(JSON.parse(pooled).title).toBe("Not checked: @agent[bot] matches no assign entry");
  });
});

describe("the worker reads nothing it was not given", () => {
  it("a manifest the engine asks for that was not prefetched is an error, never an absent file", async () => {
    const built = scenario({ roles: { ".github/roles/deps.md": DEPENDENCIES }, apply: ["deps"], files: ["package.json"], base: { "package.json": "{}" }, head: { "package.json": '{"dependencies":{"a":"1"}}' } });
    await expect(pool.evaluate(built.input, built.roleSources, [{ side: "base", path: "package.json", text: "{}" }])).rejects.toThrow(
      "the engine read head:package.json, which the app had not read for it",
    );
  });
});

describe("the time budget", () => {
  const stalled = () => scenario({ apply: ["software-engineer-typescript-backend"], files: ["stall-the-engine.txt"] });
  const normal = () => scenario({ apply: ["software-engineer-typescript-backend"], files: [".github/CODEOWNERS"] });

  it("ends an evaluation stuck in a regular expression at its budget, and the pool keeps working", async () => {
    const slow = misbehavingPool({ timeoutSeconds: 0.5 });
    const { input, roleSources } = stalled();
    const started = Date.now();
    const error = await slow.evaluate(input, roleSources, []).catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(EvaluationTimeoutError);
    expect((error as Error).message).toBe("the evaluation took longer than 0.5 s");
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(5_000);
    // The stuck thread was terminated; the next evaluation gets a fresh one.
    const next = normal();
    expect((await slow.evaluate(next.input, next.roleSources, [])).conclusion).toBe("failure");
    expect(slow.threads).toBeLessThanOrEqual(2);
  });

  it("counts from when a worker starts the evaluation, not from when it was queued", async () => {
    const single = misbehavingPool({ threads: 1, timeoutSeconds: 1 });
    const { input, roleSources } = stalled();
    const first = single.evaluate(input, roleSources, []).catch((caught: unknown) => caught);
    const queuedAt = Date.now();
    const second = normal();
    const report = await single.evaluate(second.input, second.roleSources, []);
    // It waited for the only thread (about a budget) and was still given its own.
    expect(Date.now() - queuedAt).toBeGreaterThanOrEqual(900);
    expect(report.conclusion).toBe("failure");
    expect(await first).toBeInstanceOf(EvaluationTimeoutError);
  });
});

describe("a pool closed while its threads load the engine", () => {
  // On Node 20, piscina's require() of an ES module worker instantiates its graph synchronously, and a thread
  // terminated inside that aborts the whole process ("v8::Module::IsGraphAsync must be used on an instantiated
  // module"). Measured with this fixture: 3 runs in 6 aborted with the ES module as the worker file, 0 in 6 with
  // the CommonJS entry. Two runs side by side catch the old worker about three times in four.
  it("does not take the process down (the worker is a CommonJS entry that imports the engine)", { timeout: 60_000 }, async () => {
    const fixture = fileURLToPath(new URL("../fixtures/runtime/destroy-while-loading.mjs", import.meta.url));
    const runs = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(process.execPath, [fixture, "30"], { stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
            child.on("close", (code) => resolve({ code, out }));
          }),
      ),
    );
    for (const run of runs) {
      expect(run.out).not.toContain("FATAL");
      expect([run.code, run.out.trim()]).toEqual([0, "survived"]);
    }
  });
});

describe("a worker that fails", () => {
  const crashing = misbehavingPool({ timeoutSeconds: 10 });
  const withFile = (path: string) => scenario({ apply: ["software-engineer-typescript-backend"], files: [path] });

  it("one that throws is an error saying so, not a hang", async () => {
    const { input, roleSources } = withFile("throw-in-the-worker.txt");
    await expect(crashing.evaluate(input, roleSources, [])).rejects.toThrow("the evaluation worker stopped (the worker broke)");
  });

  it("one that exits is an error saying so, and the next evaluation gets a new thread", async () => {
    const { input, roleSources } = withFile("exit-the-worker.txt");
    await expect(crashing.evaluate(input, roleSources, [])).rejects.toThrow("the evaluation worker stopped (worker exited with code: 3)");
    const next = withFile("src/a.ts");
    expect(await crashing.evaluate(next.input, next.roleSources, [])).toEqual(await evaluate(next.input));
  });

  it("a worker module that cannot load is an error, not a hang", async () => {
    const broken = new EvaluationPool({ threads: 1, timeoutSeconds: 5, workerFile: fileURLToPath(new URL("../fixtures/runtime/no-such-worker.mjs", import.meta.url)) });
    pools.push(broken);
    const { input, roleSources } = withFile("src/a.ts");
    await expect(broken.evaluate(input, roleSources, [])).rejects.toThrow(/^the evaluation worker stopped \(.*no-such-worker\.mjs/);
  });
});

describe("closing the pool", () => {
  it("during a stuck evaluation returns at once, rejects it, and leaves no worker thread", async () => {
    const stuck = misbehavingPool({ timeoutSeconds: 600 });
    const { input, roleSources } = scenario({ apply: ["software-engineer-typescript-backend"], files: ["stall-the-engine.txt"] });
    const running = stuck.evaluate(input, roleSources, []).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stuck.threads).toBeGreaterThan(0);
    const started = Date.now();
    await stuck.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(((await running) as Error).message).toBe("the app stopped before the evaluation finished");
    expect(stuck.threads).toBe(0);
    await expect(stuck.evaluate(input, roleSources, [])).rejects.toThrow("the app stopped before the evaluation finished");
  });
});

describe("settings", () => {
  it("default to a few threads and a 20 s budget", () => {
    expect(evaluationPoolSettings({})).toEqual({ threads: defaultThreads(), timeoutSeconds: DEFAULT_TIMEOUT_SECONDS });
    expect(defaultThreads()).toBeGreaterThanOrEqual(2);
    expect(defaultThreads()).toBeLessThanOrEqual(4);
    expect(evaluationPoolSettings({ ROLEGUARD_EVALUATION_THREADS: "3", ROLEGUARD_EVALUATION_TIMEOUT_SECONDS: "2.5" })).toEqual({ threads: 3, timeoutSeconds: 2.5 });
  });

  it.each([
    [{ ROLEGUARD_EVALUATION_TIMEOUT_SECONDS: "0" }, 'ROLEGUARD_EVALUATION_TIMEOUT_SECONDS must be a number of seconds greater than 0 (default 20), not "0"'],
    [{ ROLEGUARD_EVALUATION_TIMEOUT_SECONDS: "20s" }, 'ROLEGUARD_EVALUATION_TIMEOUT_SECONDS must be a number of seconds greater than 0 (default 20), not "20s"'],
    [{ ROLEGUARD_EVALUATION_THREADS: "1.5" }, /^ROLEGUARD_EVALUATION_THREADS must be a whole number of threads from 1 to 64 \(default \d\), not "1\.5"$/],
    [{ ROLEGUARD_EVALUATION_THREADS: "0" }, /not "0"$/],
  ])("refuse %o", (env, message) => {
    expect(() => evaluationPoolSettings(env)).toThrow(message);
  });

  it("run the built worker when the sources are under test", () => {
    expect(evaluationWorkerFile()).toMatch(/[/\\]dist[/\\]runtime[/\\]evaluation-worker-entry\.cjs$/);
  });
});
