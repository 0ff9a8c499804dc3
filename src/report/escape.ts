/**
 * Escaping for the check-run summary. Everything that comes from a pull
 * request (file names, branch names, logins, role ids, commit text, override
 * reasons) passes through one of these before it reaches Markdown, so it
 * cannot add table cells or rows, links, images, HTML, mentions or headings,
 * nor hide itself with bidirectional or zero-width characters.
 *
 * - {@link text}: running text, also safe inside a table cell;
 * - {@link code}: an inline code span (file names, categories, commands);
 * - {@link html}: text inside an HTML element such as `<summary>`, where
 *   Markdown is not parsed.
 */

/** Longer strings are cut: one absurd file name must not push the next steps off the screen. */
export const MAX_SHOWN = 300;

/**
 * Characters that change how text is laid out or read but show nothing: C0/C1
 * controls, soft hyphen, bidirectional marks and overrides (U+202E turns
 * `exe.txt` around), zero-width spaces and joiners, line/paragraph separators,
 * the BOM. They are shown as `\u202E` so a reviewer sees them.
 */
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/g;

/** Makes invisible and control characters visible, and cuts what is too long to read. */
export function visible(value: string, max: number = MAX_SHOWN): string {
  const shown = value.replace(INVISIBLE, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`);
  return shown.length <= max ? shown : `${shown.slice(0, max - 1)}…`;
}

/**
 * Running text: every character Markdown (and GitHub's extensions: tables,
 * strikethrough, autolinks, mentions, issue references, math) could read as
 * markup is backslash-escaped. Line breaks become spaces, so a cell stays one
 * cell and a list item one item.
 */
export function text(value: string, max: number = MAX_SHOWN): string {
  return visible(value.replace(/[\r\n\t]+/g, " "), max)
    .replace(/[\\`*[\]<>|~&!#@$]/g, "\\$&")
    // `_` opens emphasis only at a word's edge; inside `add_dependencies` it is left readable.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_")
    .replace(/:\/\//g, ":\\/\\/")
    .replace(/\b(www)\./gi, "$1\\.")
    .replace(/^(\s*)([-+=])/, "$1\\$2")
    .replace(/^(\s*\d+)([.)])/, "$1\\$2");
}

/**
 * An inline code span. Its fence is one backtick longer than any run inside
 * (three backticks in a name cannot close it), padded when the content starts
 * or ends with a backtick. In a table cell a `|` would still end the cell, even
 * inside the span, so it is written `\|`, which GFM turns back into `|` there.
 */
export function code(value: string, options: { cell?: boolean; max?: number } = {}): string {
  let content = visible(value, options.max ?? MAX_SHOWN);
  if (content === "") return "(empty)";
  if (options.cell) content = content.replace(/\|/g, "\\|");
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = content.startsWith("`") || content.endsWith("`") || (content.startsWith(" ") && content.endsWith(" ")) ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** Text inside an HTML element (Markdown is not parsed there): entities for the five HTML specials. */
export function html(value: string, max: number = MAX_SHOWN): string {
  return visible(value.replace(/[\r\n\t]+/g, " "), max).replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] as string,
  );
}

/** A GitHub login or team as a mention (`@alice`, `@acme/dba`); anything that is not one is shown as text. */
export function mention(login: string): string {
  const bare = login.replace(/^@/, "");
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?(?:\/[A-Za-z0-9_.-]+)?$/.test(bare) ? `@${bare.replace(/\[bot\]$/, "\\[bot\\]")}` : text(login);
}

/**
 * Prose that quotes names in backticks ("did you mean `database_migrations`?",
 * "comment `/roleguard check`"): each quoted part becomes a code span, the rest
 * is escaped text. Safe for any input, since both halves are escaped.
 */
export function prose(value: string, options: { cell?: boolean; max?: number } = {}): string {
  const max = options.max ?? 2 * MAX_SHOWN;
  const flat = value.replace(/[\r\n\t]+/g, " ");
  const shown = flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
  return shown
    .split(/`([^`]+)`/)
    .map((part, index) => (index % 2 === 1 ? code(part, { cell: options.cell === true, max }) : text(part, max)))
    .join("");
}
