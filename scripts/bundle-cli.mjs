// Bundles the command line (dist/cli.js and what its commands import) into
// dist/bundle/, which dist/bin.js runs. Node 20 spends most of a CLI run's
// start-up resolving and compiling some 400 ES modules one by one; a handful
// of bundle chunks start in about two thirds of the time (bench/RESULTS.md).
// esbuild keeps each command's dynamic imports as chunks loaded when it runs.
//
// Left out, loaded from dist/ as tsc built them: the server (`serve`, and
// with it Probot, pino, BullMQ, the worker pool), `history` and the hook,
// which have their own start-up paths. Packages loaded at their first use
// through createRequire (the manifest parsers, prom-client) stay in
// node_modules and are found from here as from anywhere in the package.
import { rmSync } from "node:fs";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = resolve(root, "dist");
const UNBUNDLED = new Set(["server.js", "history/run.js", "hook/run.js"]);

const leaveInDist = {
  name: "leave-in-dist",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = relative(dist, resolve(args.resolveDir, args.path));
      return UNBUNDLED.has(target) ? { path: `../${target}`, external: true } : undefined;
    });
  },
};

// Chunk names carry a hash of their content: without this, every build would leave the last one's behind.
rmSync(resolve(dist, "bundle"), { recursive: true, force: true });

await build({
  entryPoints: { cli: resolve(dist, "cli.js") },
  outdir: resolve(dist, "bundle"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  // CommonJS packages inside an ES module bundle require Node's built-ins through this.
  banner: { js: 'import { createRequire as roleguardCreateRequire } from "node:module"; const require = roleguardCreateRequire(import.meta.url);' },
  plugins: [leaveInDist],
  legalComments: "linked",
  logLevel: "warning",
});
