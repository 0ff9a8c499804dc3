#!/usr/bin/env node
// `roleguard hook` runs before every tool call of a coding agent: it skips the
// full CLI (commander, zod, yaml...) and loads only the hook and the matcher.
if (process.argv[2] === "hook") {
  const { runHook } = await import("./hook/run.js");
  process.exitCode = await runHook(process.argv.slice(3), {
    cwd: process.cwd(),
    env: process.env,
    stdin: readStdin,
    stderr: (text) => process.stderr.write(text),
  });
} else {
  // The bundle of cli.js (scripts/bundle-cli.mjs, after tsc): the same code, a few files instead of hundreds of modules.
  const bundle = "./bundle/cli.js";
  const { runCli } = (await import(bundle)) as typeof import("./cli.js");
  process.exitCode = await runCli(process.argv.slice(2));
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error("roleguard hook reads one tool call as JSON on stdin (it is run by a coding agent's PreToolUse hook)");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
