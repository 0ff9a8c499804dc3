/**
 * A container image reference as written (`ghcr.io/acme/api:1.2`,
 * `postgres@sha256:…`, `redis`), split into the image and what pins it. The
 * registry's port (`localhost:5000/app`) is part of the name, not a tag.
 * Variables (`${NODE_VERSION}`) are kept as written: their value is not known
 * from the file alone, and the text is what a reviewer sees change.
 */
export function splitImageReference(reference: string): { name: string; spec: string } {
  const at = reference.indexOf("@");
  if (at !== -1) return { name: reference.slice(0, at), spec: `${reference.slice(at + 1)} (digest)` };
  const colon = tagColon(reference);
  if (colon !== -1) return { name: reference.slice(0, colon), spec: reference.slice(colon + 1) };
  return { name: reference, spec: "latest (no tag)" };
}

/** The `:` before the tag: after the last `/`, outside any `${…}` (whose `:-default` is no tag). */
function tagColon(reference: string): number {
  let depth = 0;
  let found = -1;
  for (let index = 0; index < reference.length; index++) {
    const char = reference[index];
    if (char === "$" && reference[index + 1] === "{") {
      depth++;
      index++;
    } else if (char === "}" && depth > 0) depth--;
    else if (depth === 0 && char === "/") found = -1;
    else if (depth === 0 && char === ":" && found === -1) found = index;
  }
  return found;
}
