/**
 * Patterns cannot stall the app (SPEC §3, issue 9 item 6): a role pattern on
 * the default branch and a file name in a PR, both chosen by an attacker.
 * Every case must give the right answer or a clear error, never a crash or a
 * hang. The time bounds are generous sanity stops (the machine is shared);
 * the figures are in bench/RESULTS.md (`node bench/run.mjs`).
 */
import { describe, expect, it } from "vitest";
import { PATH_CATEGORY_DEFAULTS } from "../../src/policy/categories/builtin.js";
import { InvalidPatternError, PathPatternList, validatePattern } from "../../src/policy/paths.js";

/**
 * Not a benchmark (bench/run.mjs measures): a stop far above any honest run on
 * a loaded 2-core machine and far below the backtracking matcher's minutes.
 */
const SANITY_MS = 5_000;

/** Runs `fn`, checks it finished within the sanity bound, returns its result. */
function quickly<T>(fn: () => T): T {
  const start = performance.now();
  const result = fn();
  expect(performance.now() - start).toBeLessThan(SANITY_MS);
  return result;
}

/** The pattern: exponential for a backtracking engine (6 wildcards 0.28 s, 7 → 2.1 s, 8 → 16 s for one 60-character name). */
const CATASTROPHIC = `**/${"a*".repeat(12)}b`;

describe("catastrophic backtracking is impossible", () => {
  it.each([
    ["the issue's name: src/ + 64 × a + .ts", `src/${"a".repeat(64)}.ts`, false],
    ["a 200-character name", `src/${"a".repeat(193)}.ts`, false],
    ["a 200-character name with a b, so no literal shortcut helps", `src/${"a".repeat(192)}b.ts`, false],
    ["a 200-character name that matches", `src/${"a".repeat(195)}b`, true],
    ["a 100,000-character name", `src/${"a".repeat(99_996)}`, false],
  ])("%s", (_, path, matches) => {
    expect(quickly(() => new PathPatternList([CATASTROPHIC]).test(path))).toBe(matches);
  });

  it("a pattern of 1,000 `*` is one `*`: every name, fast", () => {
    const list = quickly(() => new PathPatternList(["*".repeat(1000)]));
    expect(quickly(() => list.test(`a/${"x".repeat(100_000)}`))).toBe(true);
  });

  it("1,000 characters of `*/` and `**/` levels, against a deep path", () => {
    const deepPath = "d/".repeat(50_000) + "f";
    expect(quickly(() => new PathPatternList([`${"*/".repeat(499)}f`]).test(deepPath))).toBe(false);
    expect(quickly(() => new PathPatternList([`${"*/".repeat(499)}*`]).test("d/".repeat(499) + "f"))).toBe(true);
    expect(quickly(() => new PathPatternList([`${"**/".repeat(333)}f`]).test(deepPath))).toBe(true);
    expect(quickly(() => new PathPatternList([`${"**/a".repeat(250)}`]).test(deepPath))).toBe(false);
  });

  it("`?` and brackets 1,000 long", () => {
    const name = "a".repeat(999);
    expect(quickly(() => new PathPatternList(["?".repeat(1000)]).test(`x/${name}a`))).toBe(true);
    expect(quickly(() => new PathPatternList(["[a-z]".repeat(200)]).test("b".repeat(200)))).toBe(true);
    expect(quickly(() => new PathPatternList(["[!.]".repeat(250)]).test(name))).toBe(false);
    expect(quickly(() => new PathPatternList(["[!.]".repeat(250)]).test("a".repeat(250)))).toBe(true);
  });
});

describe("a path of 100,000 characters", () => {
  const patterns = ["node_modules/", "workspace/frontend/", "/data/", "package.json", "infrastructure", "*.pem", "src/**/secret*.ts", ".github/", "!.github/ISSUE_TEMPLATE/", "{build,dist}/", CATASTROPHIC];
  const list = new PathPatternList(patterns);

  it.each([
    ["one long name", `src/${"x".repeat(100_000)}.ts`, undefined],
    ["50,000 folders", `${"a/".repeat(50_000)}key.pem`, "*.pem"],
    ["50,000 folders under a forbidden one", `workspace/frontend/${"a/".repeat(50_000)}x`, "workspace/frontend/"],
    ["a deep literal folder name at the end", `${"a/".repeat(50_000)}node_modules/x`, "node_modules/"],
    ["a long name under src, matching `src/**/secret*.ts`", `src/${"a/".repeat(49_000)}secret-${"x".repeat(1000)}.ts`, "src/**/secret*.ts"],
  ])("%s", (_, path, decided) => {
    expect(quickly(() => list.match(path))).toBe(decided);
  });
});

describe("deeply nested brackets and braces", () => {
  it("a run of `[` is one bracket expression or an unclosed one, refused at once", () => {
    expect(quickly(() => new PathPatternList([`${"[".repeat(500)}]`]).test("["))).toBe(true);
    expect(quickly(() => validatePattern("[".repeat(1000)))).toContain("is never closed");
    expect(quickly(() => validatePattern(`[${"[:".repeat(499)}`))).toContain("is never closed");
    // each `[:` without `:]` is a literal `[`: looking for its `:]` must not rescan the pattern every time
    const colons = quickly(() => new PathPatternList([`[${"[:a".repeat(300)}]`]));
    expect(colons.test(":")).toBe(true);
    expect(colons.test("b")).toBe(false);
  });

  it("braces nested 200 deep expand within bounds", () => {
    const nested = `${"{a,".repeat(200)}b${"}".repeat(200)}`;
    const list = quickly(() => new PathPatternList([nested]));
    expect(list.test("a")).toBe(true);
    expect(list.test("b")).toBe(true);
    expect(list.test("c")).toBe(false);
  });

  it.each([
    ["braces that multiply: {a,b} × 100", "{a,b}".repeat(100), "more than 256 alternatives"],
    ["nested braces that multiply: {a,{b,c}} × 6", "{a,{b,c}}".repeat(6), "more than 256 alternatives"],
    ["braces whose alternatives add up past the size limit", `{${"x".repeat(450)},y}{${"z".repeat(100)},w}{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20}`, "more than 10,000 characters"],
    ["braces with no comma, nested", `${"{".repeat(400)}a${"}".repeat(400)}`, "list no alternatives"],
    ["an unbalanced brace deep inside", `${"{a,".repeat(200)}b${"}".repeat(199)}`, "is never closed"],
  ])("%s: refused with a reason, quickly", (_, pattern, reason) => {
    expect(quickly(() => validatePattern(pattern))).toContain(reason);
    expect(() => new PathPatternList([pattern])).toThrow(InvalidPatternError);
  });
});

describe("invalid UTF-16 (lone surrogates)", () => {
  it.each(["\ud800", "a\udfffb", "\udc00\ud800"])("in a path: a character of its own, matched correctly (%j)", (odd) => {
    const list = new PathPatternList(["*.ts", "secrets/", "x?y"]);
    expect(list.test(`src/${odd}.ts`)).toBe(true);
    expect(list.test(`secrets/${odd}`)).toBe(true);
    expect(list.test(`${odd}/README.md`)).toBe(false);
    expect(new PathPatternList(["x?y"]).test(`x${odd.slice(0, 1)}y`)).toBe(true);
    expect(new PathPatternList([`src/${"?".repeat(odd.length)}.md`]).test(`src/${odd}.md`)).toBe(true);
  });

  it("in a pattern: refused, naming the character", () => {
    expect(validatePattern("secrets/\ud800")).toBe("it contains an unpaired UTF-16 surrogate (U+D800) at character 9, which is not text");
    expect(validatePattern("\udc00x")).toContain("U+DC00");
    expect(() => new PathPatternList(["a", "b\udbff"])).toThrow(/invalid path pattern "b\\udbff": it contains an unpaired UTF-16 surrogate/);
  });

  it("a well-formed astral character is one character", () => {
    expect(new PathPatternList(["?"]).test("😀")).toBe(true);
    expect(new PathPatternList(["??"]).test("😀")).toBe(false);
    expect(new PathPatternList(["[😀]"]).test("😀")).toBe(true);
  });
});

describe("big lists", () => {
  it("a list too big for one RE2 set is split, and the last matching pattern still decides across the parts", () => {
    const long = "?".repeat(900);
    const patterns = [...Array.from({ length: 120 }, (_, index) => `p${index}${long}`), `!p0${long}`];
    const list = quickly(() => new PathPatternList(patterns));
    expect(list.setCount).toBeGreaterThan(1);
    expect(list.match(`x/p119${"a".repeat(900)}`)).toBe(`p119${long}`);
    expect(list.match(`p1${"a".repeat(900)}`)).toBe(`p1${long}`);
    expect(list.match(`p0${"a".repeat(900)}`)).toBeUndefined(); // the last pattern, `!p0…`, re-allows it
    expect(list.match(`p0${"a".repeat(899)}`)).toBeUndefined();
  });

  it("2,000 patterns of every shape compile and match quickly", () => {
    const shapes = ["secrets/", "*.pem", "src/**/gen*.ts", "/data/", "[a-c]x*.env", "!keep.md", "config.d/[[:alpha:]]*", "{build,dist}/"];
    const patterns = Array.from({ length: 2000 }, (_, index) => (shapes[index % shapes.length] as string).replace(/([a-z]+)/, `$1${index}`));
    const list = quickly(() => new PathPatternList(patterns));
    expect(quickly(() => Array.from({ length: 1000 }, (_, index) => list.test(`src/a/b/gen${index}.ts`)).filter(Boolean).length)).toBe(0);
    expect(list.match("secrets1992/x")).toBe("secrets1992/");
  });
});

describe("the built-in category patterns", () => {
  it("are all valid", () => {
    const invalid = Object.values(PATH_CATEGORY_DEFAULTS)
      .flat()
      .map((pattern) => [pattern, validatePattern(pattern)])
      .filter(([, reason]) => reason !== undefined);
    expect(invalid).toEqual([]);
  });
});
