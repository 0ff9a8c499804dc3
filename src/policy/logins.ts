import { RE2JS } from "re2js";
import { boundedCache } from "../bounded-cache.js";

/**
 * Login patterns use `*` and `?` only: brackets are literal, so `*-agent[bot]`
 * matches `ops-agent[bot]`. GitHub logins compare case-insensitively.
 *
 * Compiled for RE2 (linear time), like path patterns: a pattern such as
 * `*a*a*a*a*a*a*a*a*a*a*b` on the default branch against a long login took
 * 27 s with a backtracking engine, on every evaluation of every PR.
 */
const compiled = boundedCache<string, RE2JS>(5_000);

function loginPattern(pattern: string): RE2JS {
  let regex = compiled.get(pattern);
  if (!regex) {
    const body = [...pattern.trim()].map((char) => (char === "*" ? ".*" : char === "?" ? "." : RE2JS.quote(char))).join("");
    regex = RE2JS.compile(`^${body}$`, RE2JS.CASE_INSENSITIVE | RE2JS.DOTALL);
    compiled.set(pattern, regex);
  }
  return regex;
}

export function loginMatches(pattern: string, login: string): boolean {
  return loginPattern(pattern).matches(login);
}
