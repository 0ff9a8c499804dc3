/**
 * The ecosystems of issue 12 through the CLI, one scratch repository per
 * case (SPEC §2): added, removed, updated, unreadable, reformatted only, and
 * a new manifest compared with nothing. Only the dependency categories are
 * required, so path categories (workflows are security_changes) stay out.
 */
import { describe, expect, it } from "vitest";
import { checkJson, seen } from "../helpers/cli.js";
import { requiring, scenario } from "../helpers/scenario.js";
import type { FileTree } from "../helpers/scratch-repo.js";

const DEPENDENCIES = requiring("add_dependencies", "remove_dependencies", "update_dependencies");

export interface EcosystemCase {
  name: string;
  base?: FileTree;
  write: FileTree;
  remove?: string[];
  /** [category, path, detail] sorted by category then path then detail; detail may be a RegExp */
  expected: [string, string, string | RegExp][];
}

export async function checkCase({ base, write, remove = [], expected }: EcosystemCase): Promise<void> {
  const repo = scenario({ roles: { tester: DEPENDENCIES }, ...(base ? { base } : {}), change: { write, remove } });
  const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);
  expect(report.errors).toEqual([]);
  const found = seen(report.findings).map((finding) => [finding.category, finding.path, finding.detail]);
  expect(found).toHaveLength(expected.length);
  expected.forEach(([category, path, detail], index) => {
    expect(found[index]?.slice(0, 2)).toEqual([category, path]);
    if (typeof detail === "string") expect(found[index]?.[2]).toBe(detail);
    else expect(found[index]?.[2]).toMatch(detail);
  });
  expect(code).toBe(expected.length > 0 ? 1 : 0);
}

const UNREADABLE = /could not read .*treat as changed/;
const ALL_THREE = (path: string): [string, string, RegExp][] =>
  ["add_dependencies", "remove_dependencies", "update_dependencies"].map((category) => [category, path, UNREADABLE]);

const WF = ".github/workflows/ci.yml";
const steps = (...uses: string[]) => `name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n${uses.map((each) => `      - uses: ${each}\n`).join("")}      - run: npm test\n`;
const SHA = "b4ffde65f46336ab88eb53be808477a3936bae11";

const GITHUB_ACTIONS: EcosystemCase[] = [
  {
    name: "GitHub Actions: a tag pinned to a SHA, an action added, one removed",
    base: { [WF]: steps("actions/checkout@v4", "actions/cache@v3") },
    write: { [WF]: steps(`actions/checkout@${SHA} # v4.1.1`, "actions/setup-node@v4") },
    expected: [
      ["add_dependencies", WF, "actions/setup-node v4 (tag)"],
      ["remove_dependencies", WF, "actions/cache v3 (tag)"],
      ["update_dependencies", WF, `actions/checkout v4 (tag) → ${SHA} (commit SHA)`],
    ],
  },
  { name: "GitHub Actions: reformatted only", base: { [WF]: steps("actions/checkout@v4") }, write: { [WF]: `# CI\nname: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: "actions/checkout@v4"\n    - run: npm test\n` }, expected: [] },
  { name: "GitHub Actions: a new workflow is compared with nothing", base: { [WF]: steps("actions/checkout@v4") }, write: { ".github/workflows/release.yml": steps("actions/checkout@v4") }, expected: [["add_dependencies", ".github/workflows/release.yml", "actions/checkout v4 (tag)"]] },
  { name: "GitHub Actions: a composite action", write: { ".github/actions/setup/action.yml": "name: setup\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n" }, expected: [["add_dependencies", ".github/actions/setup/action.yml", "actions/setup-node v4 (tag)"]] },
  { name: "GitHub Actions: unreadable", base: { [WF]: steps("actions/checkout@v4") }, write: { [WF]: "jobs:\n  test:\n    steps: [\n" }, expected: ALL_THREE(WF) },
];

describe("check: GitHub Actions (SPEC §2)", () => {
  it.each(GITHUB_ACTIONS)("$name", checkCase);
});

const DOCKERFILE = (from: string) => `ARG NODE_VERSION=20\n${from}\nWORKDIR /app\nCOPY . .\nRUN npm ci\n`;

const CONTAINER_IMAGES: EcosystemCase[] = [
  {
    name: "Dockerfile: a multi-stage build's base updated, a stage added, --platform and ARG as written",
    base: { Dockerfile: DOCKERFILE("FROM node:${NODE_VERSION}-alpine AS build") },
    write: { Dockerfile: DOCKERFILE("FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-bookworm AS build\nFROM gcr.io/distroless/nodejs20-debian12\nCOPY --from=build /app /app") },
    expected: [
      ["add_dependencies", "Dockerfile", "gcr.io/distroless/nodejs20-debian12 latest (no tag)"],
      ["update_dependencies", "Dockerfile", "node ${NODE_VERSION}-alpine → ${NODE_VERSION}-bookworm (platform: $BUILDPLATFORM)"],
    ],
  },
  { name: "Dockerfile: a removed stage", base: { "api/Dockerfile.prod": "FROM golang:1.22 AS b\nFROM alpine:3.19\nCOPY --from=b /x /x\n" }, write: { "api/Dockerfile.prod": "FROM alpine:3.19\n" }, expected: [["remove_dependencies", "api/Dockerfile.prod", "golang 1.22"]] },
  { name: "Dockerfile: reformatted only", base: { Dockerfile: "FROM node:20 AS a\nFROM python:3.12\n" }, write: { Dockerfile: "# python last\nfrom   node:20   as a\n\nFROM \\\n  python:3.12\n" }, expected: [] },
  { name: "Dockerfile: a new one is compared with nothing", base: { Dockerfile: "FROM node:20\n" }, write: { "worker/Dockerfile": "FROM node:20\n" }, expected: [["add_dependencies", "worker/Dockerfile", "node 20"]] },
  { name: "Dockerfile: unreadable", base: { Dockerfile: "FROM node:20\n" }, write: { Dockerfile: "FROM\n" }, expected: ALL_THREE("Dockerfile") },
  {
    name: "compose: an image updated, one added",
    base: { "compose.yaml": "services:\n  db:\n    image: postgres:16.2\n  api:\n    build: .\n" },
    write: { "compose.yaml": "services:\n  db:\n    image: postgres:16.3\n  cache:\n    image: redis:7.2\n  api:\n    build: .\n" },
    expected: [
      ["add_dependencies", "compose.yaml", "redis 7.2"],
      ["update_dependencies", "compose.yaml", "postgres 16.2 → 16.3"],
    ],
  },
  { name: "compose: unreadable", base: { "docker-compose.yml": "services: {}\n" }, write: { "docker-compose.yml": "services:\n  db:\n    image: [\n" }, expected: ALL_THREE("docker-compose.yml") },
];

describe("check: container images (SPEC §2)", () => {
  it.each(CONTAINER_IMAGES)("$name", checkCase);
});

const PYTHON: EcosystemCase[] = [
  {
    name: "pyproject: a build-system bump is an update",
    base: { "pyproject.toml": '[build-system]\nrequires = ["hatchling>=1.18"]\nbuild-backend = "hatchling.build"\n' },
    write: { "pyproject.toml": '[build-system]\nrequires = ["hatchling>=1.21"]\nbuild-backend = "hatchling.build"\n' },
    expected: [["update_dependencies", "pyproject.toml", "hatchling >=1.18 (build) → >=1.21 (build)"]],
  },
  { name: "pip-tools: a deleted *.in in a requirements folder removes its packages", base: { "requirements-dev/test.in": "pytest>=7\ncoverage[toml]\n" }, write: {}, remove: ["requirements-dev/test.in"], expected: [["remove_dependencies", "requirements-dev/test.in", "coverage [toml]"], ["remove_dependencies", "requirements-dev/test.in", "pytest >=7"]] },
  { name: "Pipfile: added, updated, reordered", base: { Pipfile: '[packages]\nrequests = "*"\nflask = "==2.3"\n' }, write: { Pipfile: '[packages]\nflask = "==3.0"\nrequests = "*"\n\n[dev-packages]\npytest = "*"\n' }, expected: [["add_dependencies", "Pipfile", "pytest * (dev)"], ["update_dependencies", "Pipfile", "flask ==2.3 → ==3.0"]] },
  { name: "Pipfile.lock alone is an update", base: { Pipfile: '[packages]\nrequests = "*"\n', "Pipfile.lock": "{}\n" }, write: { "Pipfile.lock": '{"_meta": {}}\n' }, expected: [["update_dependencies", "Pipfile.lock", /Pipfile\.lock changed with no dependency change/]] },
  { name: "setup.cfg: a new one is compared with nothing", write: { "setup.cfg": "[options]\ninstall_requires =\n    requests>=2\n" }, expected: [["add_dependencies", "setup.cfg", "requests >=2"]] },
  { name: "setup.cfg: unreadable", base: { "setup.cfg": "[options]\n" }, write: { "setup.cfg": "[options]\ninstall_requires =\n    ??\n" }, expected: ALL_THREE("setup.cfg") },
];

describe("check: Python manifests (SPEC §2)", () => {
  it.each(PYTHON)("$name", checkCase);
});

const pomWith = (properties: string, dependencies: string) =>
  `<?xml version="1.0"?>\n<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme</groupId>\n  <artifactId>app</artifactId>\n  <version>1.0</version>\n  <properties>${properties}</properties>\n  <dependencies>\n${dependencies}  </dependencies>\n</project>\n`;
const dep = (group: string, artifact: string, version: string) => `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>\n`;

const MAVEN: EcosystemCase[] = [
  {
    name: "Maven: a property bump updates its artifact; one added",
    base: { "pom.xml": pomWith("<jackson.version>2.16.1</jackson.version>", dep("com.fasterxml.jackson.core", "jackson-databind", "${jackson.version}")) },
    write: { "pom.xml": pomWith("<jackson.version>2.17.0</jackson.version>", dep("com.fasterxml.jackson.core", "jackson-databind", "${jackson.version}") + dep("org.slf4j", "slf4j-api", "2.0.12")) },
    expected: [
      ["add_dependencies", "pom.xml", "org.slf4j:slf4j-api 2.0.12"],
      ["update_dependencies", "pom.xml", "com.fasterxml.jackson.core:jackson-databind 2.16.1 → 2.17.0"],
    ],
  },
  { name: "Maven: a new module pom is compared with nothing", base: { "pom.xml": pomWith("", dep("g", "a", "1")) }, write: { "core/pom.xml": pomWith("", dep("g", "a", "1")) }, expected: [["add_dependencies", "core/pom.xml", "g:a 1"]] },
  { name: "Maven: reformatted only", base: { "pom.xml": pomWith("", dep("g", "a", "1")) }, write: { "pom.xml": pomWith("\n", "    <!-- one -->\n    <dependency>\n      <artifactId>a</artifactId>\n      <groupId>g</groupId>\n      <version>1</version>\n    </dependency>\n") }, expected: [] },
  { name: "Maven: unreadable", base: { "pom.xml": pomWith("", dep("g", "a", "1")) }, write: { "pom.xml": "<project><dependencies>\n" }, expected: ALL_THREE("pom.xml") },
];

describe("check: Maven (SPEC §2)", () => {
  it.each(MAVEN)("$name", checkCase);
});

const csproj = (references: string) => `<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n${references}  </ItemGroup>\n</Project>\n`;
const ref = (name: string, version: string) => `    <PackageReference Include="${name}" Version="${version}" />\n`;
const CS = "src/Shop/Shop.csproj";

const NUGET: EcosystemCase[] = [
  { name: "NuGet: csproj updated and added", base: { [CS]: csproj(ref("Dapper", "2.1.24")) }, write: { [CS]: csproj(ref("Dapper", "2.1.28") + ref("Polly", "8.2.1")) }, expected: [["add_dependencies", CS, "Polly 8.2.1"], ["update_dependencies", CS, "Dapper 2.1.24 → 2.1.28"]] },
  { name: "NuGet: a central version bumped in Directory.Packages.props", base: { "Directory.Packages.props": `<Project><ItemGroup><PackageVersion Include="xunit" Version="2.6.6" /></ItemGroup></Project>\n` }, write: { "Directory.Packages.props": `<Project><ItemGroup><PackageVersion Include="xunit" Version="2.7.0" /></ItemGroup></Project>\n` }, expected: [["update_dependencies", "Directory.Packages.props", "xunit 2.6.6 → 2.7.0"]] },
  { name: "NuGet: packages.config removal", base: { "packages.config": '<packages><package id="NUnit" version="3.14.0" /><package id="Moq" version="4.20.70" /></packages>\n' }, write: { "packages.config": '<packages><package id="NUnit" version="3.14.0" /></packages>\n' }, expected: [["remove_dependencies", "packages.config", "Moq 4.20.70"]] },
  { name: "NuGet: unreadable", base: { [CS]: csproj(ref("Dapper", "2.1.24")) }, write: { [CS]: "<Project><ItemGroup>\n" }, expected: ALL_THREE(CS) },
];

describe("check: NuGet (SPEC §2)", () => {
  it.each(NUGET)("$name", checkCase);
});

const HELM_DART: EcosystemCase[] = [
  { name: "Helm: a subchart bumped", base: { "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.6.0\n    repository: https://charts.bitnami.com/bitnami\n" }, write: { "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.1\ndependencies:\n  - name: redis\n    version: 18.7.0\n    repository: https://charts.bitnami.com/bitnami\n" }, expected: [["update_dependencies", "charts/shop/Chart.yaml", "redis 18.6.0 repository=https://charts.bitnami.com/bitnami → 18.7.0 repository=https://charts.bitnami.com/bitnami"]] },
  { name: "Helm: unreadable", base: { "Chart.yaml": "name: x\n" }, write: { "Chart.yaml": "dependencies: [\n" }, expected: ALL_THREE("Chart.yaml") },
  { name: "Dart: added and a new pubspec compared with nothing", base: { "pubspec.yaml": "name: app\ndependencies:\n  http: ^1.1.0\n" }, write: { "pubspec.yaml": "name: app\ndependencies:\n  http: ^1.1.0\n  provider: ^6.1.1\n", "packages/core/pubspec.yaml": "name: core\ndependencies:\n  http: ^1.1.0\n" }, expected: [["add_dependencies", "packages/core/pubspec.yaml", "http ^1.1.0"], ["add_dependencies", "pubspec.yaml", "provider ^6.1.1"]] },
  { name: "Dart: reformatted only", base: { "pubspec.yaml": "name: app\ndependencies:\n  http: ^1.1.0\n  provider: ^6.1.1\n" }, write: { "pubspec.yaml": "name: app\n\n# deps\ndependencies:\n    provider: '^6.1.1'\n    http: \"^1.1.0\"\n" }, expected: [] },
];

describe("check: Helm and Dart (SPEC §2)", () => {
  it.each(HELM_DART)("$name", checkCase);
});

const CATALOG = (ktor: string) => `[versions]\nktor = "${ktor}"\n\n[libraries]\nktor-core = { module = "io.ktor:ktor-server-core", version.ref = "ktor" }\n`;

const GRADLE: EcosystemCase[] = [
  { name: "Gradle catalog: a [versions] bump", base: { "gradle/libs.versions.toml": CATALOG("2.3.7") }, write: { "gradle/libs.versions.toml": CATALOG("2.3.8") }, expected: [["update_dependencies", "gradle/libs.versions.toml", "io.ktor:ktor-server-core 2.3.7 → 2.3.8"]] },
  { name: "Gradle catalog: unreadable", base: { "gradle/libs.versions.toml": CATALOG("2.3.7") }, write: { "gradle/libs.versions.toml": "[libraries\n" }, expected: ALL_THREE("gradle/libs.versions.toml") },
];

describe("check: Gradle version catalogs (SPEC §2)", () => {
  it.each(GRADLE)("$name", checkCase);
});
