/**
 * GitHub Actions: `uses:` in workflow files (`.github/workflows/*.yml`) and in
 * composite actions (`action.yml` / `action.yaml` anywhere).
 *
 * Quirks handled:
 * - a step's `uses:` and a job's `uses:` (a reusable workflow,
 *   `owner/repo/.github/workflows/build.yml@v1`); `runs.steps[].uses` of a
 *   composite action;
 * - the dependency is the action without its ref (`actions/checkout`,
 *   `github/codeql-action/init`, `docker://alpine`); its spec is the ref named
 *   as what it is, because replacing a tag with a commit SHA (or back) is the
 *   supply-chain change a reviewer must see: `v4 (tag)`,
 *   `b4ffde65f46336ab88eb53be808477a3936bae11 (commit SHA)`, `main (branch or
 *   tag)`, `sha256:… (digest)` for a `docker://` image;
 * - an action used in several steps at several refs keeps each distinct ref
 *   once, sorted, so moving or repeating steps is no change;
 * - local actions (`./.github/actions/setup`) are the repository's own code,
 *   not a dependency, and are skipped;
 * - `uses:` that is not a string is an error naming the job and step.
 */
import { DistinctSpecsBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { splitImageReference } from "./image-reference.js";
import { baseName } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";
import { describeYaml, isYamlObject, optionalList, optionalMapping, yamlMapping } from "./yaml.js";

const FULL_SHA = /^[0-9a-f]{40}$/i;
const VERSION_TAG = /^v?\d+(?:\.\d+)*(?:[-+.][0-9A-Za-z.-]*)?$/;

/** `owner/repo@ref` → name and ref described; undefined for a local action. */
export function readUses(uses: string): { name: string; spec: string } | undefined {
  const value = uses.trim();
  if (value.startsWith("./") || value.startsWith("../")) return undefined;
  if (value.startsWith("docker://")) {
    const { name, spec } = splitImageReference(value.slice("docker://".length));
    return { name: `docker://${name}`, spec: /\(digest\)|\(no tag\)/.test(spec) ? spec : `${spec} (tag)` };
  }
  const at = value.lastIndexOf("@");
  if (at === -1) return { name: value, spec: "(no ref)" };
  const ref = value.slice(at + 1);
  const kind = FULL_SHA.test(ref) ? "commit SHA" : VERSION_TAG.test(ref) ? "tag" : "branch or tag";
  return { name: value.slice(0, at), spec: `${ref} (${kind})` };
}

function addUses(dependencies: DistinctSpecsBuilder, value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") throw ManifestParseError.at(`${field} must be a string, found ${describeYaml(value)}`);
  const used = readUses(value);
  if (used !== undefined) dependencies.add(used.name, used.spec);
}

function addSteps(dependencies: DistinctSpecsBuilder, steps: unknown[], field: string): void {
  steps.forEach((step, index) => {
    if (!isYamlObject(step)) throw ManifestParseError.at(`${field}[${index}] must be a mapping, found ${describeYaml(step)}`);
    addUses(dependencies, step["uses"], `${field}[${index}].uses`);
  });
}

function parse(content: string, path: string): DependencyMap {
  const document = yamlMapping(content);
  const dependencies = new DistinctSpecsBuilder();
  if (isActionFile(path)) {
    const runs = optionalMapping(document, "runs");
    addSteps(dependencies, optionalList(runs, "steps", "runs.steps"), "runs.steps");
    return dependencies.build();
  }
  for (const [id, job] of Object.entries(optionalMapping(document, "jobs"))) {
    if (!isYamlObject(job)) throw ManifestParseError.at(`jobs.${id} must be a mapping, found ${describeYaml(job)}`);
    addUses(dependencies, job["uses"], `jobs.${id}.uses`);
    addSteps(dependencies, optionalList(job, "steps", `jobs.${id}.steps`), `jobs.${id}.steps`);
  }
  return dependencies.build();
}

function isActionFile(path: string): boolean {
  const name = baseName(path);
  return name === "action.yml" || name === "action.yaml";
}

/** GitHub reads workflows only directly in `.github/workflows/`, not in sub-folders. */
function isWorkflow(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

export const githubActions: Ecosystem = {
  id: "github-actions",
  isManifest: (path) => isWorkflow(path) || isActionFile(path),
  lockfiles: [],
  parse,
};
