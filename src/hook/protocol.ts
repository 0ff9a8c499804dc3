/**
 * The PreToolUse hook protocol of coding agents (Claude Code's, which valora's
 * `.valora/hooks.json` reuses): one JSON object on stdin naming the tool and
 * its input; exit 2 with a reason on stderr denies the call, exit 0 allows it.
 * Validated by hand rather than with zod: the hook runs before every tool
 * call, and loading zod alone costs more than starting Node.
 */

/** Tools that write a file, and where their input names it. */
const WRITE_TOOLS: Readonly<Record<string, string>> = {
  Write: "file_path",
  Edit: "file_path",
  MultiEdit: "file_path",
  NotebookEdit: "notebook_path",
};

/** A hook call's input is a few kilobytes; anything near this is not one. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

export type ToolCall =
  | { kind: "read-only"; tool: string }
  | { kind: "write"; tool: string; path: string; cwd?: string };

export class HookInputError extends Error {}

/** Parses the stdin of one hook call; a malformed one is an error (which denies: only exit 2 blocks). */
export function parseToolCall(text: string): ToolCall {
  if (text.length > MAX_INPUT_BYTES) throw new HookInputError(`the hook input is over ${MAX_INPUT_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HookInputError(`the hook input is not JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new HookInputError("the hook input must be a JSON object with tool_name and tool_input");
  const { tool_name: tool, tool_input: input, cwd } = value as Record<string, unknown>;
  if (typeof tool !== "string" || tool === "") throw new HookInputError("the hook input has no tool_name");
  const field = WRITE_TOOLS[tool];
  if (!field) return { kind: "read-only", tool };
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new HookInputError(`${tool}: tool_input must be an object`);
  const path = (input as Record<string, unknown>)[field];
  if (typeof path !== "string" || path.trim() === "" || path.includes("\u0000")) throw new HookInputError(`${tool}: tool_input.${field} must be a file path`);
  if (cwd !== undefined && (typeof cwd !== "string" || cwd === "")) throw new HookInputError("cwd must be a path");
  return { kind: "write", tool, path, ...(typeof cwd === "string" ? { cwd } : {}) };
}
