// The same three rules as roleguard's role in bench/peers/main.ts, written for danger-js:
// a forbidden path (secrets/), a dependency added to package.json, a database migration.
// Each finding is printed with a marker the bench looks for.
const changed = [...danger.git.created_files, ...danger.git.modified_files, ...danger.git.deleted_files];

const forbidden = changed.filter((path) => path.startsWith("secrets/"));
if (forbidden.length > 0) fail(`PEER-FORBIDDEN ${forbidden.join(", ")}`);

const migrations = changed.filter((path) => /^db\/migrations\//.test(path));
if (migrations.length > 0) warn(`PEER-MIGRATION ${migrations.join(", ")}`);

if (changed.includes("package.json")) {
  schedule(async () => {
    const diff = await danger.git.JSONDiffForFile("package.json");
    const added = diff.dependencies ? diff.dependencies.added : [];
    if (added.length > 0) warn(`PEER-DEPENDENCY ${added.join(", ")}`);
  });
}
