import { LRUCache } from "lru-cache";
import { RE2JS, RE2JSException, RE2Set } from "re2js";
import { toRegex } from "./compile.js";
import { LiteralIndex } from "./literals.js";
import { parsePattern } from "./parse.js";

export interface PatternOptions {
  /** Git is case-sensitive; `case_insensitive: true` in the config turns that off. */
  caseInsensitive?: boolean;
}

/** A pattern that cannot be used, named, with the reason (a policy that loaded it is broken). */
export class InvalidPatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid path pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = "InvalidPatternError";
  }
}

const tooComplex = (error: RE2JSException): string => `it is too complex to match (${error.message})`;

/**
 * The reason a path pattern is malformed (an unclosed `[`, a trailing `\`,
 * unbalanced braces, an unknown POSIX class, …), or undefined when it is fine.
 * Policies call this when they load, so a broken pattern is an error naming it.
 */
export function validatePattern(pattern: string): string | undefined {
  const parsed = parsePattern(pattern);
  if (!parsed.ok) return parsed.reason;
  try {
    RE2JS.compile(toRegex(parsed.pattern.alternatives), RE2JS.DOTALL);
    return undefined;
  } catch (error) {
    if (error instanceof RE2JSException) return tooComplex(error);
    throw error;
  }
}

/** The patterns with a wildcard, in list order, each as one RE2 expression. */
interface Wild {
  index: number;
  source: string;
  regex: string;
}

/**
 * Consecutive wildcard patterns matched by one RE2 set: one pass over the path
 * finds every one of them that matches (RE2Set's DFA), for about the cost of
 * one. `indexes[id]` is the list index of the set's pattern `id`.
 */
interface Chunk {
  indexes: number[];
  set: RE2Set;
}

/** A list's compiled form: immutable, apart from the DFA state caches inside the RE2 sets. */
interface CompiledList {
  negated: boolean[];
  literals: LiteralIndex;
  chunks: Chunk[];
  /** The length of its RE2 expressions, the measure of its memory. */
  expressionChars: number;
}

/**
 * Compiled lists by their patterns and case option. Each evaluation builds
 * its lists anew (every category's, every role's), from the same few policies:
 * reusing the compiled form skips RE2's compile and keeps its DFA warm
 * (bench/RESULTS.md). Bounded by the expressions' total length, since a
 * compiled RE2 program takes about 160 bytes per character of its expression
 * (so about 32 MiB in all, plus at most DFA_MEMORY per set); a list bigger
 * than a quarter of that is compiled for each use and not kept.
 */
const CACHE_EXPRESSION_CHARS = 200_000;
const compiledLists = new LRUCache<string, CompiledList>({
  max: 256,
  maxSize: CACHE_EXPRESSION_CHARS,
  maxEntrySize: CACHE_EXPRESSION_CHARS / 4,
  sizeCalculation: (compiled) => Math.max(1, compiled.expressionChars),
});

/** A DFA state cache per RE2 set, at most (RE2 empties it when full, and falls back to its NFA if even that does not help). */
const DFA_MEMORY = 1024 * 1024;

function compileList(patterns: readonly string[], caseInsensitive: boolean): CompiledList {
  const parsed = patterns.map((source) => {
    const result = parsePattern(source);
    if (!result.ok) throw new InvalidPatternError(source, result.reason);
    return result.pattern;
  });
  const literals = new LiteralIndex();
  const wild: Wild[] = [];
  parsed.forEach((pattern, index) => {
    const rest = caseInsensitive ? pattern.alternatives : pattern.alternatives.filter((alternative) => !literals.add(alternative, index));
    if (rest.length > 0) wild.push({ index, source: pattern.source, regex: toRegex(rest) });
  });
  const flags = RE2JS.DOTALL | (caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  return {
    negated: parsed.map((pattern) => pattern.negated),
    literals,
    chunks: splitBySize(wild).flatMap((group) => buildChunks(group, flags)),
    expressionChars: wild.reduce((total, pattern) => total + pattern.regex.length, 0),
  };
}

/**
 * An ordered pattern list (SPEC §3). The last pattern that matches a path
 * decides, so `!pattern` re-allows what an earlier one caught and a later
 * repeat catches it again; no pattern is ever dropped.
 *
 * Patterns without wildcards are hash lookups (LiteralIndex); the others are
 * RE2 expressions, which match in time linear in the path whatever the pattern.
 */
export class PathPatternList {
  private readonly negated: boolean[];
  private readonly literals: LiteralIndex;
  private readonly chunks: Chunk[];

  /** @throws InvalidPatternError for a malformed pattern (policies are validated when they load, so this names a bug). */
  constructor(
    readonly patterns: readonly string[],
    options: PatternOptions = {},
  ) {
    const caseInsensitive = options.caseInsensitive ?? false;
    const key = `${caseInsensitive ? "i" : "s"}${JSON.stringify(patterns)}`;
    let compiled = compiledLists.get(key);
    if (!compiled) {
      compiled = compileList(patterns, caseInsensitive);
      compiledLists.set(key, compiled); // not kept when bigger than maxEntrySize
    }
    ({ negated: this.negated, literals: this.literals, chunks: this.chunks } = compiled);
  }

  /** How many RE2 sets the wildcard patterns took (for tests of big lists). */
  get setCount(): number {
    return this.chunks.length;
  }

  /** True when no pattern can catch anything (none, or only `!` ones). */
  get isEmpty(): boolean {
    return !this.negated.includes(false);
  }

  /** The pattern that caught `path` (the last one that matches it), or undefined when none did or a later `!` re-allowed it. */
  match(path: string): string | undefined {
    const decided = this.decidingIndex(path);
    return decided === undefined || this.negated[decided] ? undefined : this.patterns[decided];
  }

  test(path: string): boolean {
    return this.match(path) !== undefined;
  }

  /** The index of the last pattern that matches `path`, a `!` one included; undefined when none does. */
  decidingIndex(path: string): number | undefined {
    let best = this.literals.lastMatch(path);
    // Later chunks hold later patterns: from the end, the first chunk with a match decides among them.
    for (let index = this.chunks.length - 1; index >= 0; index--) {
      const { indexes, set } = this.chunks[index] as Chunk;
      if ((indexes[indexes.length - 1] as number) <= best) break;
      const matched = set.match(path);
      if (matched.length === 0) continue;
      best = Math.max(best, indexes[matched[matched.length - 1] as number] as number);
      break;
    }
    return best < 0 ? undefined : best;
  }
}

/**
 * Expression text per RE2 set. RE2 caps one program at about 1.4 million
 * instructions; a set far below that also keeps each DFA small. Almost every
 * list fits in one set (the bench's 50 patterns take 1,500 characters).
 */
export const MAX_SET_SOURCE = 200_000;

/** Consecutive groups of patterns whose expressions add up to at most MAX_SET_SOURCE characters (a bigger one alone). */
function splitBySize(wild: readonly Wild[]): Wild[][] {
  const groups: Wild[][] = [];
  let size = Infinity;
  for (const pattern of wild) {
    if (size + pattern.regex.length > MAX_SET_SOURCE) {
      groups.push([]);
      size = 0;
    }
    (groups.at(-1) as Wild[]).push(pattern);
    size += pattern.regex.length;
  }
  return groups;
}

/** One RE2 set for a group; should RE2 still find it too big, it is halved until each part fits. */
function buildChunks(wild: readonly Wild[], flags: number): Chunk[] {
  if (wild.length === 0) return [];
  const set = new RE2Set(RE2Set.UNANCHORED, flags, DFA_MEMORY);
  for (const pattern of wild) {
    try {
      set.add(pattern.regex);
    } catch (error) {
      if (error instanceof RE2JSException) throw new InvalidPatternError(pattern.source, tooComplex(error));
      throw error;
    }
  }
  try {
    set.compile();
    return [{ indexes: wild.map((pattern) => pattern.index), set }];
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    if (wild.length === 1) throw new InvalidPatternError((wild[0] as Wild).source, tooComplex(error));
    const half = Math.ceil(wild.length / 2);
    return [...buildChunks(wild.slice(0, half), flags), ...buildChunks(wild.slice(half), flags)];
  }
}

