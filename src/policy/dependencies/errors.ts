/**
 * A manifest that cannot be read. The message is meant for a human reviewing
 * the pull request: what is wrong and, where the parser knows it, the line.
 */
export class ManifestParseError extends Error {
  /** 1-based line of the problem, when the parser knows it */
  readonly line: number | undefined;

  constructor(message: string, options: { line?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ManifestParseError";
    this.line = options.line;
  }

  /**
   * `line N: problem`, the one place that decides how errors read. The file
   * path is left out: whoever reports the error already names the file.
   */
  static at(problem: string, line?: number, cause?: unknown): ManifestParseError {
    return new ManifestParseError(line === undefined ? problem : `line ${line}: ${problem}`, { line, cause });
  }
}
