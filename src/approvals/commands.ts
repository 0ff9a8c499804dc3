/**
 * The comment command grammar (SPEC §7): one command per line, prefix
 * `/roleguard`. Lines inside fenced or indented code, block quotes and HTML
 * comments are not commands: quoting someone's approval must not repeat it.
 */

export type Command =
  | { verb: "approve"; categories: string[] | "all"; line: string }
  | { verb: "override"; reason: string; line: string }
  | { verb: "revoke"; categories: string[] | "all"; line: string }
  | { verb: "check"; line: string };

export type ParsedLine = { ok: true; command: Command } | { ok: false; line: string; error: string };

const PREFIX = /^\/roleguard\b(.*)$/i;
/**
 * Limits that keep one comment from amplifying (SPEC §7): lines read per
 * comment, commands carried out per comment, characters of a line read, and
 * characters of a line echoed back in a reply.
 */
export const MAX_LINES_READ = 500;
export const MAX_COMMANDS = 10;
const MAX_LINE_CHARS = 2_000;
const ECHO_CHARS = 120;
const CATEGORY = /^[a-z0-9][a-z0-9_.-]*$/;

export function parseCommands(body: string): ParsedLine[] {
  const results: ParsedLine[] = [];
  const distinct = new Set<string>();
  let skipped = 0;
  let fence: string | undefined;
  const lines = stripHtmlComments(body).split(/\r?\n/, MAX_LINES_READ + 1);
  for (const whole of lines.slice(0, MAX_LINES_READ)) {
    const raw = whole.slice(0, MAX_LINE_CHARS);
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (fence) {
      if (opening && opening[1]?.[0] === fence[0] && (opening[1]?.length ?? 0) >= fence.length) fence = undefined;
      continue;
    }
    if (opening) {
      fence = opening[1];
      continue;
    }
    if (/^( {4,}|\t)/.test(raw)) continue; // indented code
    const line = raw.trim();
    if (line.startsWith(">")) continue; // a quote of someone else's words
    const match = PREFIX.exec(line);
    if (!match) continue;
    const parsed = parseOne(echo(line), (match[1] ?? "").trim());
    // The same command twice in one comment is one command; past the cap, lines are counted, not carried out.
    const identity = parsed.ok ? commandIdentity(parsed.command) : `error ${parsed.line.toLowerCase()}`;
    if (distinct.has(identity)) continue;
    if (distinct.size >= MAX_COMMANDS) {
      skipped++;
      continue;
    }
    distinct.add(identity);
    results.push(parsed);
  }
  if (results.length > 0 && (lines.length > MAX_LINES_READ || skipped > 0)) {
    const what = skipped > 0 ? `${skipped} more command line${skipped === 1 ? " was" : "s were"} not read` : `lines after the first ${MAX_LINES_READ} were not read`;
    results.push({ ok: false, line: "(the rest of the comment)", error: `${what}: roleguard carries out at most ${MAX_COMMANDS} different commands from the first ${MAX_LINES_READ} lines of a comment` });
  }
  return results;
}

/** A line as it is quoted back in a reply: never longer than a reader needs to recognise it. */
function echo(line: string): string {
  return line.length <= ECHO_CHARS ? line : `${line.slice(0, ECHO_CHARS - 1)}…`;
}

function commandIdentity(command: Command): string {
  switch (command.verb) {
    case "approve":
    case "revoke":
      return `${command.verb} ${command.categories === "all" ? "all" : [...command.categories].sort().join(",")}`;
    case "override":
      return "override";
    case "check":
      return "check";
  }
}

function parseOne(line: string, rest: string): ParsedLine {
  const [verb = "", ...args] = rest.split(/\s+/).filter(Boolean);
  switch (verb.toLowerCase()) {
    case "approve":
    case "revoke": {
      const kind = verb.toLowerCase() as "approve" | "revoke";
      const names = args.flatMap((arg) => arg.split(",")).map((arg) => arg.trim().toLowerCase()).filter(Boolean);
      if (names.length === 0) {
        return kind === "revoke" ? { ok: true, command: { verb: "revoke", categories: "all", line } } : { ok: false, line, error: "name the categories to approve, or `all`" };
      }
      if (names.includes("all")) return { ok: true, command: { verb: kind, categories: "all", line } };
      const bad = names.filter((name) => !CATEGORY.test(name));
      if (bad.length > 0) return { ok: false, line, error: `not a category: ${bad.join(", ")}` };
      return { ok: true, command: { verb: kind, categories: [...new Set(names)], line } };
    }
    case "override": {
      const reason = rest.slice(verb.length).trim();
      if (reason.length < 3) return { ok: false, line, error: "an override needs a reason: `/roleguard override <reason>`" };
      return { ok: true, command: { verb: "override", reason: reason.slice(0, 500), line } };
    }
    case "check":
      return { ok: true, command: { verb: "check", line } };
    default:
      return { ok: false, line, error: verb ? `unknown command \`${verb}\`` : "missing command" };
  }
}

function stripHtmlComments(body: string): string {
  return body.replace(/<!--[\s\S]*?(-->|$)/g, "");
}

/** Does this body carry any command line (used to spot edits and deletions of command comments)? */
export function hasCommands(body: string | null | undefined): boolean {
  return !!body && parseCommands(body).length > 0;
}
