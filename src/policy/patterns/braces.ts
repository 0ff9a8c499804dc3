import { PatternSyntaxError, type Token } from "./tokens.js";

/**
 * Brace expansion, roleguard's one addition to git's syntax (SPEC §3):
 * `*.{yml,yaml}` is `*.yml` and `*.yaml`. Bounded, because `{a,b}{c,d}…`
 * doubles with every group: the alternatives are counted before any is built,
 * and a pattern that would expand past the limits is refused.
 */
export const MAX_ALTERNATIVES = 256;
export const MAX_EXPANDED_TOKENS = 10_000;

type PlainToken = Exclude<Token, { kind: "open" | "comma" | "close" }>;
type Item = PlainToken | Group;
interface Group {
  kind: "group";
  alternatives: Item[][];
}

/** The token sequences a pattern stands for: one without braces, several with. */
export function expandBraces(tokens: readonly Token[]): PlainToken[][] {
  if (!tokens.some((token) => token.kind === "open")) return [tokens as PlainToken[]];
  const items = toTree(tokens);
  if (countAlternatives(items) > MAX_ALTERNATIVES) throw new PatternSyntaxError(`its braces expand to more than ${MAX_ALTERNATIVES} alternatives`);
  return expandSequence(items);
}

/** Nests the flat tokens (the tokenizer has checked that braces balance). */
function toTree(tokens: readonly Token[]): Item[] {
  const root: Item[] = [];
  const stack: { group: Group; current: Item[]; hasComma: boolean; at: number }[] = [];
  let current = root;
  for (const token of tokens) {
    if (token.kind === "open") {
      const group: Group = { kind: "group", alternatives: [] };
      current.push(group);
      stack.push({ group, current: [], hasComma: false, at: token.at });
      current = (stack.at(-1) as { current: Item[] }).current;
    } else if (token.kind === "comma") {
      const open = stack.at(-1) as (typeof stack)[number];
      open.group.alternatives.push(open.current);
      open.current = [];
      open.hasComma = true;
      current = open.current;
    } else if (token.kind === "close") {
      const open = stack.pop() as (typeof stack)[number];
      if (!open.hasComma) throw new PatternSyntaxError(`the braces at character ${open.at} list no alternatives: write \`{a,b}\`, or \`\\{\` and \`\\}\` for literal braces`);
      open.group.alternatives.push(open.current);
      current = stack.at(-1)?.current ?? root;
    } else {
      current.push(token);
    }
  }
  return root;
}

/** How many sequences the items expand to, saturating just past the limit so huge products stay cheap to count. */
function countAlternatives(items: readonly Item[]): number {
  let product = 1;
  for (const item of items) {
    if (item.kind !== "group") continue;
    let sum = 0;
    for (const alternative of item.alternatives) sum = Math.min(MAX_ALTERNATIVES + 1, sum + countAlternatives(alternative));
    product = Math.min(MAX_ALTERNATIVES + 1, product * sum);
  }
  return product;
}

function expandSequence(items: readonly Item[]): PlainToken[][] {
  let prefixes: PlainToken[][] = [[]];
  for (const item of items) {
    if (item.kind !== "group") {
      for (const prefix of prefixes) prefix.push(item);
      continue;
    }
    const suffixes = item.alternatives.flatMap((alternative) => expandSequence(alternative));
    prefixes = prefixes.flatMap((prefix) => suffixes.map((suffix) => [...prefix, ...suffix]));
    const size = prefixes.reduce((total, prefix) => total + prefix.length, 0);
    if (size > MAX_EXPANDED_TOKENS) throw new PatternSyntaxError(`its braces expand to more than ${MAX_EXPANDED_TOKENS.toLocaleString("en-US")} characters`);
  }
  return prefixes;
}
