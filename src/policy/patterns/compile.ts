import { escapeCodePoint, toRegexClass } from "./charset.js";
import type { Alternative, NamePart, Segment } from "./parse.js";

/**
 * A parsed pattern's alternatives → one RE2 expression, searched (unanchored) in the whole
 * path. A pattern matches a path when it matches the path itself or one of the
 * folders above it (SPEC §3: a pattern naming a folder covers everything
 * beneath it), so every expression ends at a `/` or at the end of the path;
 * a folder-only pattern (trailing `/`) must end at a `/`. Nothing here can
 * backtrack: RE2 matches in time linear in the path whatever the expression.
 *
 * Compiled with RE2's DOTALL flag (`.` in `**` matches any character, a line
 * feed in a file name too).
 */
export function toRegex(alternatives: readonly Alternative[]): string {
  const regexes = alternatives.map(alternativeRegex);
  return regexes.length === 1 ? (regexes[0] as string) : `(?:${regexes.join("|")})`;
}

function alternativeRegex(alternative: Alternative): string {
  const end = alternative.folderOnly ? "/" : "(?:/|$)";
  if (!alternative.anchored) return `(?:^|/)${nameRegex(alternative.segments[0] as Segment)}${end}`;
  let body = "";
  let separator = "";
  alternative.segments.forEach((segment, index) => {
    if (segment.kind === "name") {
      body += separator + nameRegex(segment);
      separator = "/";
    } else if (index === alternative.segments.length - 1) {
      body += `${separator}.*`; // a trailing `**`: everything below (a lone `**`: everything)
    } else {
      body += `${separator}(?:.*/)?`; // a leading or inner `**`: zero or more folders
      separator = "";
    }
  });
  return `^${body}${end}`;
}

/** A name glob never crosses a `/`: `*` and `?` stop at one, and a bracket expression never contains one. */
function nameRegex(segment: Segment): string {
  if (segment.kind === "globstar") return "[^/]*"; // unreachable for a parsed pattern: `**` alone in a name is `*`
  return segment.parts.map(partRegex).join("");
}

function partRegex(part: NamePart): string {
  switch (part.kind) {
    case "text":
      return Array.from(part.text, (char) => escapeCodePoint(char.codePointAt(0) as number)).join("");
    case "star":
      return "[^/]*";
    case "one":
      return "[^/]";
    case "set":
      return toRegexClass(part.ranges, part.negated);
  }
}
