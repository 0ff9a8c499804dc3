/**
 * Why `roleguard serve` cannot start, in one line a person can act on
 * (what is missing and what to set). The CLI prints it and exits 2; anything
 * else that escapes is a bug.
 */
export class ServeError extends Error {
  override readonly name = "ServeError";
}
