import { ManifestParseError } from "./errors.js";

/**
 * Common first step of every parser: a leading byte-order mark (left by some
 * Windows editors) is dropped because JSON.parse and the line parsers would
 * otherwise choke on it or glue it to the first name; a NUL character means
 * the blob is binary, not a manifest someone can review.
 */
export function manifestText(content: string): string {
  const nul = content.indexOf("\0");
  if (nul !== -1) {
    throw ManifestParseError.at("not a text file (contains a NUL byte)", lineAt(content, nul));
  }
  return content.startsWith("\uFEFF") ? content.slice(1) : content;
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) {
    line++;
  }
  return line;
}

/** Base name of a repo-relative POSIX path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Quotes manifest text for an error message, cut short so a huge line does not become a huge message. */
export function quoteForMessage(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
