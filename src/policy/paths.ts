/**
 * Path patterns (SPEC §3): gitignore's meaning, matched in linear time.
 * The matcher lives in ./patterns/ (parse → compile to RE2 → ordered list);
 * this module is what the engine and the policy loaders import.
 */
export { InvalidPatternError, PathPatternList, validatePattern, type PatternOptions } from "./patterns/list.js";
