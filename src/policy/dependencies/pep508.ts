/**
 * The small part of PEP 508 both pip and pyproject need: split a requirement
 * into its name and "everything after the name". The rest (extras, version
 * specifiers, `@ url`, `; markers`) is kept as written because it is shown to
 * a reviewer, not evaluated.
 */

/** PEP 503 normalisation: `Django_REST.framework` and `django-rest-framework` are one project. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export interface PythonRequirement {
  /** PEP 503-normalised */
  name: string;
  /** extras, specifiers, url and markers as written, trimmed; `*` when there are none */
  spec: string;
}

// A PEP 508 name is letters/digits with `-_.` inside. Matched greedily and
// checked afterwards rather than with a backtracking pattern, so a long junk
// line costs one linear scan.
const NAME_RUN = /^[A-Za-z0-9._-]+/;
const ALPHANUMERIC = /[A-Za-z0-9]/;
// What may follow a name: extras, a version specifier, a direct reference or markers.
const AFTER_NAME = /^(?:$|[[(<>@;]|[=!~]=)/;

/** Returns undefined when the text is not a PEP 508 requirement. */
export function parseRequirement(text: string): PythonRequirement | undefined {
  const trimmed = text.trim();
  const name = NAME_RUN.exec(trimmed)?.[0];
  if (name === undefined || !ALPHANUMERIC.test(name[0] ?? "") || !ALPHANUMERIC.test(name[name.length - 1] ?? "")) {
    return undefined;
  }
  const rest = trimmed.slice(name.length).trim();
  if (!AFTER_NAME.test(rest)) return undefined;
  return { name: normalizePythonName(name), spec: rest === "" ? "*" : rest };
}
