import { readFileSync } from "node:fs";
import { PACKAGE_ROOT } from "../package-root.js";
import { parse } from "yaml";
import * as z from "zod";
import { ServeError } from "./errors.js";

/**
 * The files that ship beside the built code (package.json "files") are read
 * from the package's own folder, never from the working directory, so
 * `roleguard --version` and the set-up page are right from any cwd.
 */
export { PACKAGE_ROOT };

const PackageJsonSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
});
export type PackageJson = z.infer<typeof PackageJsonSchema>;

/** roleguard's package.json: name, version, description. */
export function packageJson(): PackageJson {
  const path = `${PACKAGE_ROOT}package.json`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ServeError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): roleguard's installation is incomplete`);
  }
  const parsed = PackageJsonSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new ServeError(`${path} has no name or version: roleguard's installation is damaged`);
  return parsed.data;
}

/** For `roleguard --version`: never fails the CLI, whatever the installation's state. */
export function packageVersion(): string {
  try {
    return packageJson().version;
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

/**
 * The GitHub App manifest (app.yml): what roleguard asks GitHub for when it
 * registers itself. Only the fields the set-up page relies on are checked; the
 * rest (description, url, public...) goes to GitHub as written.
 */
const AppManifestSchema = z.looseObject({
  name: z.string().min(1),
  default_permissions: z.record(z.string(), z.string()),
  default_events: z.array(z.string()),
  hook_attributes: z.looseObject({ url: z.string().optional() }).optional(),
});
export type AppManifest = z.infer<typeof AppManifestSchema>;

export function appManifest(): AppManifest {
  const path = `${PACKAGE_ROOT}app.yml`;
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ServeError(`cannot read the GitHub App manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = AppManifestSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServeError(`the GitHub App manifest ${path} is not usable: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
