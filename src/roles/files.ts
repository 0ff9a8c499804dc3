/**
 * Which Markdown files in a role folder are role files (SPEC §1). Role folders
 * also hold templates (`_template.md`), notes under `_meta/` and a README:
 * reading those as roles would turn a placeholder into a policy error, or a
 * README into a role.
 */
export function isRoleFileName(path: string): boolean {
  const segments = path.split("/");
  const name = segments[segments.length - 1] ?? "";
  if (!name.toLowerCase().endsWith(".md")) return false;
  if (name.startsWith("_") || name.toLowerCase() === "readme.md") return false;
  return !segments.slice(0, -1).includes("_meta");
}
