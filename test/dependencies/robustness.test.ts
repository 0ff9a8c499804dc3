import { describe, expect, it } from "vitest";
import { ECOSYSTEMS, ManifestParseError, type DependencyMap, type Ecosystem } from "../../src/policy/dependencies/index.js";

/** A manifest path each ecosystem recognises, for the `path` argument. */
const MANIFEST_PATH: Record<string, string> = {
  npm: "package.json",
  pip: "requirements.txt",
  pyproject: "pyproject.toml",
  gomod: "go.mod",
  cargo: "Cargo.toml",
  bundler: "Gemfile",
  composer: "composer.json",
  "github-actions": ".github/workflows/ci.yml",
  docker: "Dockerfile",
  pipfile: "Pipfile",
  "setup-cfg": "setup.cfg",
  maven: "pom.xml",
  nuget: "App.csproj",
  helm: "Chart.yaml",
  dart: "pubspec.yaml",
  "gradle-catalog": "gradle/libs.versions.toml",
  terraform: "main.tf",
  gitmodules: ".gitmodules",
};

function ecosystem(id: string): Ecosystem {
  const found = ECOSYSTEMS.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no ecosystem ${id}`);
  return found;
}

/** Parses, turning the outcome into a value a test can compare: the map, or the parse error's message. */
function outcome(id: string, content: string): { map: DependencyMap } | { error: string } {
  try {
    return { map: ecosystem(id).parse(content, MANIFEST_PATH[id] ?? "") };
  } catch (error) {
    // Anything but a ManifestParseError (a TypeError, a RangeError) fails the test here.
    if (error instanceof ManifestParseError) return { error: error.message };
    throw error;
  }
}

/** Deterministic pseudo-random generator (a linear congruential one), so failures reproduce. */
function* pseudoRandom(seed: number): Generator<number, never> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    yield state;
  }
}

/** Random bytes decoded as UTF-8 the way a caller decoding a blob would, without NUL bytes. */
function garbage(seed: number, length: number): string {
  const random = pseudoRandom(seed);
  const bytes = Uint8Array.from({ length }, () => (random.next().value % 255) + 1);
  return new TextDecoder().decode(bytes);
}

/** Random text made of the characters manifests are made of, to reach the parsers' deeper branches. */
function manifestishNoise(seed: number, length: number): string {
  const alphabet = ' \t\n\r{}[]()"\'`\\=:,;#/-_.<>~^*@!|+abcdefgimnopqrstuvxz0123456789\u00e9';
  const random = pseudoRandom(seed);
  return Array.from({ length }, () => alphabet[random.next().value % alphabet.length]).join("");
}

const FIVE_MB = 5 * 1024 * 1024;

/** A syntactically valid manifest of at least 5 MB with `count` dependencies, and one entry to check. */
function largeManifest(id: string): { content: string; count: number; sample: [string, string] } {
  const line = (index: number): string => {
    switch (id) {
      case "npm":
        return `    "package-${index}": "^1.${index}.0",`;
      case "composer":
        return `    "vendor/package-${index}": "^1.${index}",`;
      case "pip":
        return `package-${index}==1.${index}.0 ; python_version >= "3.8"  # pinned by pip-compile`;
      case "pyproject":
        return `  "package-${index}>=1.${index}",`;
      case "gomod":
        return `\tgithub.com/acme/module-${index} v1.${index}.0 // indirect`;
      case "cargo":
        return `crate-${index} = { version = "1.${index}", features = ["std", "serde"] }`;
      case "github-actions":
        return `      - uses: acme/action-${index}@v1.${index} # step ${index}`;
      case "gradle-catalog":
        return `lib-${index} = { module = "com.acme:lib-${index}", version = "1.${index}" }`;
      case "helm":
        return `  - name: chart-${index}\n    version: 1.${index}.0`;
      case "dart":
        return `  package_${index}: ^1.${index}.0`;
      case "nuget":
        return `    <PackageReference Include="Acme.Lib${index}" Version="1.${index}.0" PrivateAssets="all" />`;
      case "maven":
        return `<dependency><groupId>com.acme</groupId><artifactId>lib-${index}</artifactId><version>1.${index}</version><scope>test</scope></dependency>`;
      case "pipfile":
        return `package-${index} = { version = "==1.${index}", extras = ["socks"] }`;
      case "setup-cfg":
        return `    package-${index}>=1.${index} ; python_version >= "3.8"`;
      case "docker":
        return `FROM --platform=linux/amd64 acme/image-${index}:1.${index} AS stage-${index}`;
      case "gitmodules":
        return `[submodule "libs/m${index}"]\n\tpath = libs/m${index}\n\turl = https://example.test/m${index}.git ; mirror`;
      case "terraform":
        return `module "m${index}" {\n  source  = "acme/m${index}/aws" # call ${index}\n  version = "~> 1.${index}"\n}`;
      default:
        return `gem "gem-${index}", "~> 1.${index}", require: false # pinned`;
    }
  };
  const lines: string[] = [];
  for (let size = 0; size < FIVE_MB; size += lines[lines.length - 1]?.length ?? 0) lines.push(line(lines.length));
  const body = lines.join("\n");
  const count = lines.length;
  const last = count - 1;
  switch (id) {
    case "npm":
      return { content: `{"dependencies": {\n${body.slice(0, -1)}\n}}`, count, sample: [`package-${last}`, `^1.${last}.0`] };
    case "composer":
      return { content: `{"require": {\n${body.slice(0, -1)}\n}}`, count, sample: [`vendor/package-${last}`, `^1.${last}`] };
    case "pip":
      return { content: body, count, sample: [`package-${last}`, `==1.${last}.0 ; python_version >= "3.8"`] };
    case "pyproject":
      return { content: `[project]\ndependencies = [\n${body}\n]`, count, sample: [`package-${last}`, `>=1.${last}`] };
    case "gomod":
      return { content: `module x\n\nrequire (\n${body}\n)\n`, count, sample: [`github.com/acme/module-${last}`, `v1.${last}.0 (indirect)`] };
    case "cargo":
      return { content: `[dependencies]\n${body}`, count, sample: [`crate-${last}`, `1.${last} features=[std,serde]`] };
    case "github-actions":
      return { content: `jobs:\n  build:\n    steps:\n${body}\n`, count, sample: [`acme/action-${last}`, `v1.${last} (tag)`] };
    case "gradle-catalog":
      return { content: `[libraries]\n${body}`, count, sample: [`com.acme:lib-${last}`, `1.${last}`] };
    case "helm":
      return { content: `dependencies:\n${body}\n`, count, sample: [`chart-${last}`, `1.${last}.0`] };
    case "dart":
      return { content: `dependencies:\n${body}\n`, count, sample: [`package_${last}`, `^1.${last}.0`] };
    case "nuget":
      return { content: `<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>\n${body}\n</ItemGroup></Project>`, count, sample: [`Acme.Lib${last}`, `1.${last}.0 (private)`] };
    case "maven":
      return { content: `<project><dependencies>\n${body}\n</dependencies></project>`, count, sample: [`com.acme:lib-${last}`, `1.${last} (test)`] };
    case "pipfile":
      return { content: `[packages]\n${body}`, count, sample: [`package-${last}`, `==1.${last} extras=[socks]`] };
    case "setup-cfg":
      return { content: `[options]\ninstall_requires =\n${body}`, count, sample: [`package-${last}`, `>=1.${last} ; python_version >= "3.8"`] };
    case "docker":
      return { content: body, count, sample: [`acme/image-${last}`, `1.${last} (platform: linux/amd64)`] };
    case "gitmodules":
      return { content: body, count, sample: [`submodule libs/m${last}`, `https://example.test/m${last}.git`] };
    case "terraform":
      return { content: body, count, sample: [`acme/m${last}/aws`, `~> 1.${last}`] };
    default:
      return { content: body, count, sample: [`gem-${last}`, `~> 1.${last}`] };
  }
}

const IDS = ECOSYSTEMS.map((each) => each.id);

describe("every parser on hostile input", () => {
  it.each(IDS)("%s: an empty file has a defined result", (id) => {
    const expected = id === "npm" || id === "composer" || id === "maven" || id === "nuget" ? { error: "file is empty" } : { map: {} };
    expect(outcome(id, "")).toEqual(expected);
  });

  it.each(IDS)("%s: a binary file (NUL bytes) is a parse error naming the line", (id) => {
    expect(outcome(id, "PK\u0003\u0004\n\u0000\u0000\u0000\u0014")).toEqual({ error: "line 2: not a text file (contains a NUL byte)" });
  });

  it.each([
    ["npm", "invalid JSON"],
    ["composer", "invalid JSON"],
    ["pyproject", "invalid TOML"],
    ["pipfile", "invalid TOML"],
    ["gradle-catalog", "invalid TOML"],
    ["maven", "invalid XML"],
    ["nuget", "invalid XML"],
    ["cargo", "invalid TOML"],
    ["pip", "not a requirement"],
    ["gomod", "not a go.mod directive"],
  ])("%s: random bytes are a parse error (%s)", (id, kind) => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = outcome(id, garbage(seed, 2_000));
      expect(result).toHaveProperty("error");
      expect("error" in result && result.error).toContain(kind);
    }
  });

  // A YAML reader takes almost any text as a scalar or a mapping: random bytes
  // are an error (not a mapping, invalid YAML) or, rarely, a mapping with no dependency in it.
  it.each(["github-actions", "docker", "setup-cfg", "helm", "dart"])("%s: random bytes are a parse error or no dependencies", (id) => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = outcome(id, garbage(seed, 2_000));
      if ("error" in result) expect(result.error).toMatch(/invalid YAML|expected a mapping|must be|FROM names no image|key = value|before any/);
      else expect(result.map).toEqual({});
    }
  });

  it("gitmodules: random bytes are a parse error from the git-config reader", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = outcome("gitmodules", garbage(seed, 2_000));
      expect(result).toHaveProperty("error");
      expect("error" in result && result.error).toMatch(/^line \d+: (?:not a key = value line|not a section header|a setting before any|invalid escape|a quoted value)/);
    }
  });

  it("terraform: random bytes are a parse error from the block reader", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const result = outcome("terraform", garbage(seed, 2_000));
      expect(result).toHaveProperty("error");
      expect("error" in result && result.error).toMatch(/^line \d+: (?:unexpected character|expected an argument or a block|expected "=" or a block's|unterminated|expected a line end)/);
    }
  });

  it("bundler: random bytes read as no dependencies, a Gemfile being Ruby that is only skimmed", () => {
    for (let seed = 1; seed <= 20; seed++) expect(outcome("bundler", garbage(seed, 2_000))).toEqual({ map: {} });
  });

  it.each(IDS)("%s: random manifest-like text never escapes as anything but a ManifestParseError", (id) => {
    for (let seed = 1; seed <= 300; seed++) {
      const result = outcome(id, manifestishNoise(seed, 300));
      if ("map" in result) for (const spec of Object.values(result.map)) expect(typeof spec).toBe("string");
    }
  });

  const YAML_IDS = ["github-actions", "helm", "dart"];
  it.each(YAML_IDS)("%s: a YAML manifest over 256 KB is a clear error, read in no time", (id) => {
    const { content } = largeManifest(id);
    const started = performance.now();
    expect(outcome(id, content)).toEqual({ error: `file is ${Math.ceil(content.length / 1024)} KB, more than the 256 KB a YAML manifest is read up to` });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it.each(YAML_IDS)("%s: a 250 KB YAML manifest parses completely, and 250 KB of quotes is an error within seconds", (id) => {
    const { content } = largeManifest(id);
    const cut = content.slice(0, content.lastIndexOf("\n", 250 * 1024));
    const result = ecosystem(id).parse(cut, MANIFEST_PATH[id] ?? "");
    const entry: Record<string, RegExp> = { "github-actions": /- uses:/g, helm: /- name:/g, dart: /^ {2}package_/gm };
    expect(Object.keys(result).length).toBe(cut.match(entry[id] ?? /$^/g)?.length);
    const started = performance.now();
    expect(outcome(id, '"'.repeat(250 * 1024))).toHaveProperty("error");
    // A hang guard, not a speed figure: about 1.3 s alone on this machine, 6 s beside another test file on a
    // shared 2-core one; quadratic behaviour on 256,000 characters would take hours.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it.each(IDS.filter((id) => !YAML_IDS.includes(id)))("%s: a 5 MB manifest parses completely", (id) => {
    const { content, count, sample } = largeManifest(id);
    expect(content.length).toBeGreaterThanOrEqual(FIVE_MB);
    const result = ecosystem(id).parse(content, MANIFEST_PATH[id] ?? "");
    expect(Object.keys(result)).toHaveLength(count);
    expect(result[sample[0]]).toBe(sample[1]);
  });

  // Lines built to make a careless regular expression backtrack for ever, or
  // a recursive parser overflow its stack. Each must end, with any defined result.
  const pathological: [string, string][] = [
    ["one 5 MB line of letters", "a".repeat(FIVE_MB)],
    ["spaces then a hash", `${" ".repeat(FIVE_MB)}#`],
    ["backslashes in an open string", `gem "${"\\".repeat(FIVE_MB)}`],
    ["spaces before a do", `group${" ".repeat(FIVE_MB)}do`],
    ["a 500k-line continuation", "x==1 \\\n".repeat(500_000)],
    ["a 500k-line trailing-comma call", 'gem "x",\n'.repeat(500_000)],
    ["deeply nested brackets", "[".repeat(100_000)],
    ["a long dashed name ending in .whl", `${"a-".repeat(FIVE_MB / 2)}.whl`],
    ["a line of quotes", '"'.repeat(FIVE_MB)],
  ];
  it.each(IDS)("%s: pathological input terminates", (id) => {
    for (const [, content] of pathological) outcome(id, content);
  });
});
