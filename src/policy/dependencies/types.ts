/** name → version spec, as written in the manifest */
export type DependencyMap = Record<string, string>;

/**
 * One package manager: which files are its manifests and lockfiles, and how to
 * read a manifest into a {@link DependencyMap}.
 */
export interface Ecosystem {
  /** "npm", "pip", "pyproject", "gomod", "cargo", "bundler", "composer" */
  id: string;
  /** repo-relative POSIX path; the decision is made on the base name */
  isManifest(path: string): boolean;
  /** base names of this ecosystem's lockfiles */
  lockfiles: readonly string[];
  /** throws ManifestParseError with a human message on unreadable input */
  parse(content: string, path: string): DependencyMap;
}
