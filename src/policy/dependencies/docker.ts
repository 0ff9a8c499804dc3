/**
 * Container images: `FROM` in Dockerfiles (parsed with dockerfile-ast, the
 * VS Code Docker language server's parser) and `image:` of compose services.
 *
 * Quirks handled:
 * - any Dockerfile name Docker tooling uses: `Dockerfile`, `Dockerfile.prod`,
 *   `api.Dockerfile`, `Containerfile`;
 * - multi-stage builds: `FROM build AS final` names an earlier stage, not an
 *   image, and `scratch` is no image; every other stage's image counts;
 * - `--platform=linux/amd64` is part of the spec (` (platform: …)`), since
 *   switching it pulls a different image;
 * - ARG-substituted references (`node:${NODE_VERSION}-alpine`) as written;
 * - the same image in several stages or services keeps each distinct spec
 *   once, sorted, so reordering changes nothing;
 * - compose services that only `build:` have no image; `image:` that is not
 *   a string, or a `FROM` with no image, is an error naming the place.
 */
import { DistinctSpecsBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { splitImageReference } from "./image-reference.js";
import { loadedOnFirstUse } from "../../lazy-require.js";
import { baseName, manifestText } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";
import { describeYaml, isYamlObject, optionalMapping, yamlMapping } from "./yaml.js";

const dockerfiles = loadedOnFirstUse<typeof import("dockerfile-ast")>("dockerfile-ast");

function parseDockerfile(content: string): DependencyMap {
  const text = manifestText(content);
  const images = new DistinctSpecsBuilder();
  const stages = new Set<string>();
  for (const from of dockerfiles().DockerfileParser.parse(text).getFROMs()) {
    const line = from.getRange().start.line + 1;
    const image = from.getImage();
    if (image === null) throw ManifestParseError.at("FROM names no image", line);
    const stage = from.getBuildStage();
    const isStageOrScratch = stages.has(image.toLowerCase()) || image.toLowerCase() === "scratch";
    if (stage !== null) stages.add(stage.toLowerCase());
    if (isStageOrScratch) continue;
    const { name, spec } = splitImageReference(image);
    const platform = from.getPlatformFlag()?.getValue();
    images.add(name, platform ? `${spec} (platform: ${platform})` : spec);
  }
  return images.build();
}

function parseCompose(content: string): DependencyMap {
  const document = yamlMapping(content);
  const images = new DistinctSpecsBuilder();
  for (const [service, definition] of Object.entries(optionalMapping(document, "services"))) {
    if (definition === null) continue;
    if (!isYamlObject(definition)) throw ManifestParseError.at(`services.${service} must be a mapping, found ${describeYaml(definition)}`);
    const image = definition["image"];
    if (image === undefined || image === null) continue;
    if (typeof image !== "string") throw ManifestParseError.at(`services.${service}.image must be a string, found ${describeYaml(image)}`);
    const { name, spec } = splitImageReference(image.trim());
    images.add(name, spec);
  }
  return images.build();
}

export function isDockerfile(path: string): boolean {
  const name = baseName(path);
  return name === "Dockerfile" || name === "Containerfile" || name.startsWith("Dockerfile.") || /.\.(?:Dockerfile|dockerfile)$/.test(name);
}

export function isComposeFile(path: string): boolean {
  return /^(?:docker-compose|compose)(?:[.-][^/]*)?\.ya?ml$/.test(baseName(path));
}

export const docker: Ecosystem = {
  id: "docker",
  isManifest: (path) => isDockerfile(path) || isComposeFile(path),
  lockfiles: [],
  parse: (content, path) => (isComposeFile(path) ? parseCompose(content) : parseDockerfile(content)),
};
