import { zodErrors, type PolicyError } from "../errors.js";
import { parseYaml } from "../yaml.js";
import { ConfigSchema, type Config } from "./schema.js";

export const CONFIG_PATH = ".github/roleguard.yml";

export type ConfigParseResult = { ok: true; config: Config } | { ok: false; errors: PolicyError[] };

/** Parses and validates a `.github/roleguard.yml`. An empty file is the defaults. */
export function parseConfig(text: string, file: string = CONFIG_PATH): ConfigParseResult {
  if (text.includes("\u0000")) return { ok: false, errors: [{ file, message: "not a text file" }] };
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  const raw = parsed.yaml.value ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, errors: [{ file, message: "must be a YAML map of settings (roles, assign, categories, ...)" }] };
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) return { ok: false, errors: zodErrors(file, result.error) };
  return { ok: true, config: result.data };
}
