#!/usr/bin/env node
// The README's first command: builds a throwaway git repository in which an AI
// agent's branch touches a forbidden path, adds a dependency and a migration,
// then checks it with the built-in roles. Nothing outside the temp folder changes.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js");
const repo = mkdtempSync(join(tmpdir(), "roleguard-demo-"));
const git = (...args) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
const write = (path, text) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};

try {
  git("init", "-q", "-b", "main");
  git("config", "user.email", "demo@example.com");
  git("config", "user.name", "demo");
  write("package.json", JSON.stringify({ name: "shop", dependencies: { express: "^4.19.2" } }, null, 2));
  write("src/server.ts", "export const port = 3000;\n");
  write(".github/workflows/ci.yml", "on: push\njobs: {}\n");
  write(
    ".github/roleguard.yml",
    [
      "assign:",
      "  - role: software-engineer-typescript-backend",
      '    users: ["*-agent[bot]"]',
      "categories:",
      "  database_migrations:",
      '    approvers: { users: ["alice"], teams: ["acme/dba"] }',
      "",
    ].join("\n"),
  );
  git("add", "-A");
  git("commit", "-qm", "initial");

  git("checkout", "-qb", "agent/add-orders");
  write("package.json", JSON.stringify({ name: "shop", dependencies: { express: "^4.19.2", lodash: "^4.17.21" } }, null, 2));
  write("src/orders.ts", "export const orders = [];\n");
  write("db/migrations/002_orders.sql", "CREATE TABLE orders (id serial primary key);\n");
  write(".github/workflows/ci.yml", "on: push\njobs: {}\n# the agent made CI quieter\n");
  git("add", "-A");
  git("commit", "-qm", "Add orders");

  const args = ["check", "--base", "main", "--author", "backend-agent[bot]", ...process.argv.slice(2)];
  console.error(`$ roleguard ${args.join(" ")}   # in a throwaway repo: ${repo}\n`);
  try {
    process.stdout.write(execFileSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8" }));
  } catch (error) {
    // Exit code 1 is the expected verdict here: a violation and pending approvals.
    process.stdout.write(error.stdout ?? "");
    process.stderr.write(error.stderr ?? "");
    console.error(`\n(exit code ${error.status}: 0 nothing pending, 1 approvals pending or a violation, 2 usage/config error)`);
    if (error.status !== 1) process.exitCode = error.status ?? 1;
  }
} finally {
  rmSync(repo, { recursive: true, force: true });
}
