import { describe, expect, it } from "vitest";
import { cargo, diffDependencies } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => cargo.parse(content, "Cargo.toml");

describe("Cargo.toml", () => {
  it("reads every dependency table, rendering tables as version then sorted key=value pairs", () => {
    expect(parse(readFixture("cargo/base/Cargo.toml"))).toEqual({
      anyhow: "1.0.75",
      serde: "1.0.193 features=[derive]",
      tokio: "1.35 features=[rt-multi-thread,macros]",
      log: "0.4",
      json: "1.0.108 package=serde_json",
      "acme-proto": "path=../proto",
      proptest: "1.4.0 (dev)",
      tempfile: "3.8 (dev)",
      cc: "1.0.83 (build)",
      nix: "0.27 (target: cfg(unix))",
      winapi: "0.3.9 features=[winuser] (target: cfg(windows))",
    });
  });

  it("diffs a realistic change: new crate, feature added, source switched, a move to dev, a platform crate swapped", () => {
    const diff = diffDependencies(parse(readFixture("cargo/base/Cargo.toml")), parse(readFixture("cargo/head/Cargo.toml")));
    expect(diff).toEqual({
      added: [
        { name: "tracing", spec: "0.1.40" },
        { name: "windows-sys", spec: "0.52 features=[Win32_Foundation] (target: cfg(windows))" },
      ],
      removed: [{ name: "winapi", spec: "0.3.9 features=[winuser] (target: cfg(windows))" }],
      updated: [
        { name: "acme-proto", from: "path=../proto", to: "git=https://github.com/acme/proto rev=4f1c2e9" },
        { name: "anyhow", from: "1.0.75", to: "1.0.79" },
        { name: "log", from: "0.4", to: "0.4 (dev)" },
        { name: "serde", from: "1.0.193 features=[derive]", to: "1.0.193 features=[derive,rc]" },
      ],
    });
  });

  it("reads workspace dependencies, inherited ones, target dev-dependencies and the old underscore spelling", () => {
    expect(parse(readFixture("cargo/workspace.Cargo.toml"))).toEqual({
      serde: "features=[std] workspace=true, 1 default-features=false (workspace)",
      insta: "1.34 (dev)",
      rand: "workspace=true (dev, target: cfg(unix)), 0.8 (workspace)",
    });
  });

  it.each([
    ["a bare version", '[dependencies]\nregex = "1.10"', { regex: "1.10" }],
    ["a dotted-key table", '[dependencies.reqwest]\nversion = "0.11"\ndefault-features = false\nfeatures = ["rustls-tls"]', { reqwest: "0.11 default-features=false features=[rustls-tls]" }],
    ["an empty table", "[dependencies]\nodd = {}", { odd: "*" }],
    ["a target triple", "[target.x86_64-pc-windows-msvc.build-dependencies]\nembed-resource = \"2.4\"", { "embed-resource": "2.4 (build, target: x86_64-pc-windows-msvc)" }],
    ["a target with no dependency tables", "[target.'cfg(unix)']\nrustflags = []", {}],
    ["a registry dependency", '[dependencies]\ninternal = { version = "0.3", registry = "acme" }', { internal: "0.3 registry=acme" }],
    ["an optional dependency", '[dependencies]\nserde_json = { version = "1", optional = true }', { serde_json: "1 optional=true" }],
    ["a package with no dependencies", '[package]\nname = "x"\nversion = "0.1.0"', {}],
    ["an empty file", "", {}],
  ])("%s", (_case, content, expected) => {
    expect(parse(content)).toEqual(expected);
  });

  it("orders target tables by name whatever their order in the file", () => {
    const one = parse("[target.'cfg(unix)'.dependencies]\nx = \"1\"\n[target.'cfg(windows)'.dependencies]\nx = \"2\"");
    const other = parse("[target.'cfg(windows)'.dependencies]\nx = \"2\"\n[target.'cfg(unix)'.dependencies]\nx = \"1\"");
    expect(one).toEqual({ x: "1 (target: cfg(unix)), 2 (target: cfg(windows))" });
    expect(other).toEqual(one);
  });

  it.each([
    {
      case: "rename a dependency (the key changes, the package stays)",
      base: '[dependencies]\nserde_json = "1"',
      head: '[dependencies]\njson = { package = "serde_json", version = "1" }',
      expected: { added: [{ name: "json", spec: "1 package=serde_json" }], removed: [{ name: "serde_json", spec: "1" }], updated: [] },
    },
    {
      case: "turn off default features",
      base: '[dependencies]\ntokio = "1"',
      head: '[dependencies]\ntokio = { version = "1", default-features = false }',
      expected: { added: [], removed: [], updated: [{ name: "tokio", from: "1", to: "1 default-features=false" }] },
    },
    {
      case: "inherit a version from the workspace",
      base: '[dependencies]\nrand = "0.8"',
      head: "[dependencies]\nrand.workspace = true",
      expected: { added: [], removed: [], updated: [{ name: "rand", from: "0.8", to: "workspace=true" }] },
    },
    {
      case: "move a dependency to build-dependencies",
      base: '[dependencies]\ncc = "1"',
      head: '[build-dependencies]\ncc = "1"',
      expected: { added: [], removed: [], updated: [{ name: "cc", from: "1", to: "1 (build)" }] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(base), parse(head))).toEqual(expected);
  });

  describe("malformed input", () => {
    it.each([
      ["an unterminated string", '[dependencies]\nserde = "1.0\n', "line 2: invalid TOML: control characters are not allowed in strings", 2],
      ["a duplicated table", '[dependencies]\na = "1"\n[dependencies]\nb = "2"', "line 3: invalid TOML: trying to redefine an already defined table or value", 3],
      ["a bare word value", "[dependencies]\nserde = latest", "line 2: invalid TOML: invalid value", 2],
      ["binary content", "[package]\n\u0000", "line 2: not a text file (contains a NUL byte)", 2],
    ])("%s", (_case, content, message, line) => {
      const error = parseError(cargo, content, "Cargo.toml");
      expect(error.message).toBe(message);
      expect(error.line).toBe(line);
    });

    it.each([
      ["dependencies as a string", 'dependencies = "serde"', "dependencies must be a table, found a string"],
      ["a numeric version", "[dependencies]\nserde = 1", "dependencies.serde must be a version string or a table, found a number"],
      ["an array value", '[dev-dependencies]\nserde = ["1"]', "dev-dependencies.serde must be a version string or a table, found an array"],
      ["target as an array", "target = [1]", "target must be a table, found an array"],
      ["a target that is a string", 'target = { unix = "x" }', "target.unix must be a table, found a string"],
      ["a target's dependencies as a number", "[target.'cfg(unix)']\ndependencies = 3", "target.cfg(unix).dependencies must be a table, found a number"],
      ["workspace dependencies as an array", "[workspace]\ndependencies = []", "workspace.dependencies must be a table, found an array"],
    ])("%s", (_case, content, message) => {
      expect(parseError(cargo, content, "Cargo.toml").message).toBe(message);
    });
  });
});
