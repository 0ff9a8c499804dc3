import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import { isRoleFileName } from "./files.js";
import type { RoleSource } from "./resolve.js";

/** `roles/` at the package root. */
export const BUILTIN_ROLES_DIR = join(PACKAGE_ROOT, "roles", "/");

const loaded = new Map<string, RoleSource>();

/** The roles shipped with roleguard, always available and replaceable by id. Read from disk once per process. */
export function builtinRoleSource(dir: string = BUILTIN_ROLES_DIR): RoleSource {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const source = readBuiltins(dir);
  loaded.set(dir, source);
  return source;
}

function readBuiltins(dir: string): RoleSource {
  const files = readdirSync(dir)
    .filter(isRoleFileName)
    .sort()
    .map((name) => ({ path: `built-in:roles/${name}`, text: readFileSync(`${dir}${name}`, "utf8") }));
  return { layer: "built-in", files };
}
