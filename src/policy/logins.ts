/**
 * Login patterns use `*` and `?` only: brackets are literal, so `*-agent[bot]`
 * matches `ops-agent[bot]`. GitHub logins compare case-insensitively.
 */
export function loginPattern(pattern: string): RegExp {
  const body = [...pattern.trim()]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

export function loginMatches(pattern: string, login: string): boolean {
  return loginPattern(pattern).test(login);
}
