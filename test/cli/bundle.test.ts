/**
 * `roleguard` runs the bundle of the command line (dist/bundle/, made by
 * scripts/bundle-cli.mjs after tsc). Every command is run through the built
 * binary and in-process from the sources, and must print the same thing and
 * exit the same way: a bundler that changed a module's meaning (a CommonJS
 * package's exports, a file found relative to the code) shows here. The
 * manifests are chosen to load each lazily required parser.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { FakeServer } from "../helpers/fake-server.js";
import { forbidding, scenario } from "../helpers/scenario.js";

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));
const BIN = dist("bin.js");

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronously: the stand-in GitHub of check --pr answers from this process. */
function viaBundle(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `history` prints its own timings; everything else it prints must match. */
const withoutTimings = (outcome: Outcome): Outcome => ({ ...outcome, stdout: outcome.stdout.replace(/^time per change.*$/gm, "time per change …") });

async function inProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

const PACKAGE = (extra: Record<string, string> = {}) => `${JSON.stringify({ name: "shop", dependencies: { express: "^4.19.2", ...extra } }, null, 2)}\n`;
const POM = (version: string) => `<project><dependencies><dependency><groupId>org.x</groupId><artifactId>lib</artifactId><version>${version}</version></dependency></dependencies></project>\n`;
const ROLE_FILE = `---\nrole: gated\n${forbidding("secrets/")}\n  requires_approval_for: [add_dependencies, database_migrations, infrastructure]\n---\nHeld to its lane.\n`;

function shop() {
  return scenario({
    config: 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n',
    base: {
      ".github/roles/gated.md": ROLE_FILE,
      "package.json": PACKAGE(),
      "pom.xml": POM("1.0"),
      "Cargo.toml": '[package]\nname = "shop"\n\n[dependencies]\nserde = "1"\n',
      Dockerfile: "FROM node:20\n",
      ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    },
    change: {
      write: {
        "secrets/key.pem": "k\n",
        "db/migrations/002.sql": "create index i on t(c);\n",
        "package.json": PACKAGE({ lodash: "^4.17.21" }),
        "pom.xml": POM("2.0"),
        "Cargo.toml": '[package]\nname = "shop"\n\n[dependencies]\nserde = "1"\nrand = "0.8"\n',
        Dockerfile: "FROM node:22\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n",
      },
    },
  });
}

describe("the bundled CLI behaves as the sources do", () => {
  it("is built, and bin.js runs it", () => {
    expect(existsSync(dist("bundle/cli.js"))).toBe(true);
    expect(readFileSync(BIN, "utf8")).toContain("./bundle/cli.js");
    // The server, history and the hook stay in dist/: the bundle imports them from there.
    const chunks = readdirSync(dist("bundle")).filter((name) => name.endsWith(".js"));
    const text = chunks.map((name) => readFileSync(dist(`bundle/${name}`), "utf8")).join("\n");
    for (const own of ["../server.js", "../history/run.js", "../hook/run.js"]) expect(text).toContain(`"${own}"`);
    for (const left of ["probot", "piscina", "bullmq", "prom-client"]) expect(text).not.toMatch(new RegExp(`from "${left}"`));
  });

  it.each([
    ["--version"],
    ["--help"],
    ["check", "--help"],
    ["check", "--base", "main", "--author", "ops-agent[bot]"],
    ["check", "--base", "main", "--author", "ops-agent[bot]", "--format", "json"],
    ["check", "--base", "main", "--role", "contractor", "--format", "markdown"],
    ["roles", "lint", ".github/roles"],
    ["roles", "show", "gated"],
    ["roles", "show", "contractor", "--format", "json"],
    ["roles", "show", "nobody"],
    ["history", "--max", "1", "--role", "gated"],
  ])("roleguard %s", async (...args) => {
    const repo = shop();
    const expected = await inProcess(args, repo.dir);
    const actual = await viaBundle(args, repo.dir);
    expect(withoutTimings(actual)).toEqual(withoutTimings(expected));
  });
});

describe("the bundled check --pr", () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await FakeServer.listen();
    const fake = new FakeGitHub(server.url);
    fake.repo("acme/shop", { files: { ".github/roleguard.yml": 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n', ".github/roles/gated.md": ROLE_FILE, "package.json": PACKAGE() } });
    fake.pull("acme/shop", { number: 1, author: "ops-agent[bot]", head: { ".github/roleguard.yml": 'assign:\n  - role: gated\n    users: ["*-agent[bot]"]\n', ".github/roles/gated.md": ROLE_FILE, "package.json": PACKAGE({ lodash: "^4.17.21" }), "secrets/key.pem": "k\n" } });
    server.serve(fake);
  });
  afterAll(() => server.close());

  it("reports what the sources report, over real HTTP", async () => {
    const env = { GITHUB_TOKEN: "t", GITHUB_API_URL: server.url };
    const args = ["check", "--pr", "acme/shop#1", "--format", "json"];
    const expected = await inProcess(args, "/", env);
    const actual = await viaBundle(args, "/", env);
    expect(actual).toEqual(expected);
    expect(JSON.parse(actual.stdout)).toMatchObject({ conclusion: "failure" });
  });
});
