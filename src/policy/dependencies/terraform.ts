/**
 * Terraform (and OpenTofu): providers in `terraform { required_providers { … } }`
 * and module calls' `source` + `version`, in `*.tf` / `*.tofu` files (read
 * with the block reader in ./hcl.ts) and their JSON syntax `*.tf.json`.
 * `.terraform.lock.hcl` is the lockfile: a change to it alone is an update.
 *
 * Quirks handled:
 * - a provider is named by its source address (`hashicorp/aws`), lowercased
 *   as Terraform compares them; with no `source` (or the legacy
 *   `aws = "~> 2.0"` form) it is `hashicorp/<local name>`, as Terraform
 *   assumes; the spec is the version constraint, or `(any version)`;
 * - a module is named by its source, the spec is its `version`; for a git or
 *   other URL source the `?ref=` is the version (`v1.2.0 (git ref)`), since
 *   moving it is the update; a local path (`./modules/vpc`) is the
 *   repository's own code, not a dependency;
 * - the same provider or module used at several versions keeps each one
 *   once, sorted, so moving blocks between or within files changes nothing;
 * - a value that is not a string where Terraform wants a literal (`version =
 *   var.v`) is kept as written, so changing it is still seen.
 */
import { DistinctSpecsBuilder } from "./dependency-map.js";
import { ManifestParseError } from "./errors.js";
import { parseHcl, type HclBody, type HclValue } from "./hcl.js";
import { parseJsonObject } from "./json.js";
import { baseName } from "./text.js";
import type { DependencyMap, Ecosystem } from "./types.js";

const ANY_VERSION = "(any version)";

/** Provider and module declarations as plain values, whichever syntax they came from. */
interface Declarations {
  providers: { localName: string; source?: string; version?: string }[];
  modules: { name: string; source?: string; version?: string }[];
}

function valueText(value: HclValue, field: string): string {
  if (value.kind === "string") return value.value;
  if (value.kind === "expression") return value.text;
  throw ManifestParseError.at(`${field} must be a string, found an object`, value.line);
}

function fromHcl(body: HclBody): Declarations {
  const declarations: Declarations = { providers: [], modules: [] };
  for (const block of body.blocks) {
    if (block.type === "terraform") {
      for (const required of block.body.blocks.filter((each) => each.type === "required_providers")) {
        for (const entry of required.body.attributes) {
          const field = `required_providers.${entry.name}`;
          if (entry.value.kind === "object") {
            const source = entry.value.entries.find((each) => each.name === "source");
            const version = entry.value.entries.find((each) => each.name === "version");
            declarations.providers.push({
              localName: entry.name,
              ...(source ? { source: valueText(source.value, `${field}.source`) } : {}),
              ...(version ? { version: valueText(version.value, `${field}.version`) } : {}),
            });
          } else {
            // Terraform 0.12's form: `aws = "~> 2.0"` is a version constraint for hashicorp/aws.
            declarations.providers.push({ localName: entry.name, version: valueText(entry.value, field) });
          }
        }
      }
    }
    if (block.type === "module") {
      const name = block.labels[0];
      if (name === undefined) throw ManifestParseError.at("a module block needs a name label", block.line);
      const source = block.body.attributes.find((each) => each.name === "source");
      const version = block.body.attributes.find((each) => each.name === "version");
      declarations.modules.push({
        name,
        ...(source ? { source: valueText(source.value, `module.${name}.source`) } : {}),
        ...(version ? { version: valueText(version.value, `module.${name}.version`) } : {}),
      });
    }
  }
  return declarations;
}

type Json = { [key: string]: unknown };
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** In the JSON syntax a block may be an object or a list of them. */
const each = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : []);

function jsonText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  throw ManifestParseError.at(`${field} must be a string, found ${Array.isArray(value) ? "a list" : typeof value}`);
}

function fromJson(document: Json): Declarations {
  const declarations: Declarations = { providers: [], modules: [] };
  for (const terraform of each(document["terraform"])) {
    for (const required of each(terraform["required_providers"])) {
      for (const [localName, entry] of Object.entries(required)) {
        const field = `terraform.required_providers.${localName}`;
        if (isObject(entry)) {
          const source = jsonText(entry["source"], `${field}.source`);
          const version = jsonText(entry["version"], `${field}.version`);
          declarations.providers.push({ localName, ...(source !== undefined ? { source } : {}), ...(version !== undefined ? { version } : {}) });
        } else {
          const version = jsonText(entry, field);
          declarations.providers.push({ localName, ...(version !== undefined ? { version } : {}) });
        }
      }
    }
  }
  for (const modules of each(document["module"])) {
    for (const [name, calls] of Object.entries(modules)) {
      for (const call of each(calls)) {
        const source = jsonText(call["source"], `module.${name}.source`);
        const version = jsonText(call["version"], `module.${name}.version`);
        declarations.modules.push({ name, ...(source !== undefined ? { source } : {}), ...(version !== undefined ? { version } : {}) });
      }
    }
  }
  return declarations;
}

/** Terraform reads `./` and `../` sources from the same repository: no download, no dependency. */
function isLocalPath(source: string): boolean {
  return source.startsWith("./") || source.startsWith("../") || source === "." || source === "..";
}

/** A URL-ish source's `ref` query parameter, split off: the name is the source without it. */
function splitRef(source: string): { name: string; ref?: string } {
  const query = source.indexOf("?");
  if (query === -1) return { name: source };
  const params = new URLSearchParams(source.slice(query + 1));
  const ref = params.get("ref");
  if (ref === null) return { name: source };
  params.delete("ref");
  const rest = params.toString();
  return { name: `${source.slice(0, query)}${rest ? `?${rest}` : ""}`, ref };
}

function toMap({ providers, modules }: Declarations): DependencyMap {
  const dependencies = new DistinctSpecsBuilder();
  for (const provider of providers) {
    // `registry.terraform.io/hashicorp/aws` and `hashicorp/aws` are one provider to Terraform.
    const source = (provider.source ?? `hashicorp/${provider.localName}`).trim().toLowerCase().replace(/^registry\.terraform\.io\//, "");
    dependencies.add(source, provider.version?.trim() || ANY_VERSION);
  }
  for (const module of modules) {
    if (module.source === undefined) throw ManifestParseError.at(`module.${module.name} has no source`);
    const source = module.source.trim();
    if (isLocalPath(source)) continue;
    const { name, ref } = splitRef(source);
    const version = module.version?.trim();
    const spec = [version, ref !== undefined ? `${ref} (git ref)` : undefined].filter(Boolean).join(" ");
    dependencies.add(name, spec || ANY_VERSION);
  }
  return dependencies.build();
}

function parse(content: string, path: string): DependencyMap {
  if (path.endsWith(".json")) return toMap(fromJson(parseJsonObject(content)));
  return toMap(fromHcl(parseHcl(content)));
}

export function isTerraformFile(path: string): boolean {
  return /^[^/]*\.(?:tf|tofu)(?:\.json)?$/.test(baseName(path)) && !baseName(path).startsWith(".");
}

export const terraform: Ecosystem = {
  id: "terraform",
  isManifest: isTerraformFile,
  lockfiles: [".terraform.lock.hcl"],
  parse,
};
