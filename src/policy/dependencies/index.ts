/**
 * Dependency manifests: one parser per package manager behind the
 * {@link Ecosystem} interface, registered in {@link ECOSYSTEMS}, and the diff
 * of two parsed manifests.
 */
import { bundler } from "./bundler.js";
import { cargo } from "./cargo.js";
import { composer } from "./composer.js";
import { dart } from "./dart.js";
import { docker } from "./docker.js";
import { githubActions } from "./github-actions.js";
import { gitmodules, shortCommit } from "./gitmodules.js";
import { baseName } from "./text.js";
import { gomod } from "./gomod.js";
import { gradleCatalog } from "./gradle-catalog.js";
import { helm } from "./helm.js";
import { maven } from "./maven.js";
import { npm } from "./npm.js";
import { nuget } from "./nuget.js";
import { pip } from "./pip.js";
import { pipfile } from "./pipfile.js";
import { pyproject } from "./pyproject.js";
import { setupCfg } from "./setup-cfg.js";
import { terraform } from "./terraform.js";
import type { Ecosystem } from "./types.js";

export type { DependencyMap, Ecosystem } from "./types.js";
export { ManifestParseError } from "./errors.js";
export { diffDependencies, type DependencyDiff } from "./diff.js";
export { bundler, cargo, composer, dart, docker, githubActions, gitmodules, shortCommit, gomod, gradleCatalog, helm, maven, npm, nuget, pip, pipfile, pyproject, setupCfg, terraform };

/** Every supported ecosystem. No two claim the same manifest or lockfile name. */
export const ECOSYSTEMS: readonly Ecosystem[] = [npm, pip, pyproject, gomod, cargo, bundler, composer, githubActions, docker, pipfile, setupCfg, maven, nuget, helm, dart, gradleCatalog, terraform, gitmodules];

export function ecosystemForManifest(path: string): Ecosystem | undefined {
  return ECOSYSTEMS.find((ecosystem) => ecosystem.isManifest(path));
}

export function ecosystemForLockfile(path: string): Ecosystem | undefined {
  const name = baseName(path);
  return ECOSYSTEMS.find((ecosystem) => ecosystem.lockfiles.includes(name));
}
