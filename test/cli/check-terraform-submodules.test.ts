/**
 * Terraform and git submodules through the CLI (SPEC §2), one scratch
 * repository per case: added, removed, updated, unreadable, reformatted only,
 * a new manifest compared with nothing; and submodules made by `git submodule
 * add` from a second local repository, whose pinned commit then moves.
 */
import { describe, expect, it } from "vitest";
import { checkJson, seen } from "../helpers/cli.js";
import { requiring, scenario, policyFiles } from "../helpers/scenario.js";
import { ScratchRepo, type FileTree } from "../helpers/scratch-repo.js";

const DEPENDENCIES = requiring("add_dependencies", "remove_dependencies", "update_dependencies");
const UNREADABLE = /could not read .*treat as changed/;

interface Case {
  name: string;
  base?: FileTree;
  write: FileTree;
  remove?: string[];
  expected: [string, string, string | RegExp][];
}

async function checkCase({ base, write, remove = [], expected }: Case): Promise<void> {
  const repo = scenario({ roles: { tester: DEPENDENCIES }, ...(base ? { base } : {}), change: { write, remove } });
  const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);
  expect(report.errors).toEqual([]);
  const found = seen(report.findings).map((finding) => [finding.category, finding.path, finding.detail]);
  expect(found).toHaveLength(expected.length);
  expected.forEach(([category, path, detail], index) => {
    expect(found[index]?.slice(0, 2)).toEqual([category, path]);
    if (typeof detail === "string") expect(found[index]?.[2]).toBe(detail);
    else expect(found[index]?.[2]).toMatch(detail);
  });
  expect(code).toBe(expected.length > 0 ? 1 : 0);
}

const providers = (aws: string, extra = "") => `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "${aws}"
    }${extra}
  }
}
`;
const vpc = (version: string) => `module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "${version}"\n}\n`;

const TERRAFORM: Case[] = [
  {
    name: "Terraform: a provider bumped, one added, a module removed",
    base: { "infra/versions.tf": providers("~> 5.0"), "infra/main.tf": vpc("5.4.0") },
    write: { "infra/versions.tf": providers("~> 5.40", '\n    random = { source = "hashicorp/random", version = "3.6.0" }') },
    remove: ["infra/main.tf"],
    expected: [
      ["add_dependencies", "infra/versions.tf", "hashicorp/random 3.6.0"],
      ["remove_dependencies", "infra/main.tf", "terraform-aws-modules/vpc/aws 5.4.0"],
      ["update_dependencies", "infra/versions.tf", "hashicorp/aws ~> 5.0 → ~> 5.40"],
    ],
  },
  { name: "Terraform: a module's version bumped", base: { "main.tf": vpc("5.4.0") }, write: { "main.tf": vpc("5.5.1") }, expected: [["update_dependencies", "main.tf", "terraform-aws-modules/vpc/aws 5.4.0 → 5.5.1"]] },
  {
    name: "Terraform: reformatted and commented only",
    base: { "main.tf": vpc("5.4.0") },
    write: { "main.tf": `# the network\nmodule "vpc" {\n    version = "5.4.0" # tested\n    source = "terraform-aws-modules/vpc/aws"\n\n    name = "shop"\n}\n` },
    expected: [],
  },
  { name: "Terraform: a new file is compared with nothing", base: { "main.tf": vpc("5.4.0") }, write: { "envs/prod/main.tf": vpc("5.4.0") }, expected: [["add_dependencies", "envs/prod/main.tf", "terraform-aws-modules/vpc/aws 5.4.0"]] },
  {
    // git -C lists envs/prod/main.tf as a copy of the base main.tf (which changed too): still compared with nothing.
    name: "Terraform: a copied file is compared with nothing, not with its source",
    base: { "main.tf": vpc("5.4.0") },
    write: { "main.tf": vpc("5.5.0"), "envs/prod/main.tf": vpc("5.4.0") },
    expected: [
      ["add_dependencies", "envs/prod/main.tf", "terraform-aws-modules/vpc/aws 5.4.0"],
      ["update_dependencies", "main.tf", "terraform-aws-modules/vpc/aws 5.4.0 → 5.5.0"],
    ],
  },
  { name: "Terraform: unreadable", base: { "main.tf": vpc("5.4.0") }, write: { "main.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws\n' }, expected: ["add_dependencies", "remove_dependencies", "update_dependencies"].map((category) => [category, "main.tf", UNREADABLE]) },
  {
    name: "Terraform: .terraform.lock.hcl alone is an update",
    base: { "main.tf": providers("~> 5.0"), ".terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.31.0"\n}\n' },
    write: { ".terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.40.0"\n}\n' },
    expected: [["update_dependencies", ".terraform.lock.hcl", /\.terraform\.lock\.hcl changed with no dependency change/]],
  },
  {
    name: ".gitmodules: a submodule's URL changed, one added",
    base: { ".gitmodules": '[submodule "libs/ui"]\n\tpath = libs/ui\n\turl = https://github.com/acme/ui.git\n' },
    write: { ".gitmodules": '[submodule "libs/ui"]\n\tpath = libs/ui\n\turl = https://github.com/evil/ui.git\n[submodule "vendor/proto"]\n\tpath = vendor/proto\n\turl = ../proto.git\n\tbranch = main\n' },
    expected: [
      ["add_dependencies", ".gitmodules", "submodule vendor/proto ../proto.git (branch: main)"],
      ["update_dependencies", ".gitmodules", "submodule libs/ui https://github.com/acme/ui.git → https://github.com/evil/ui.git"],
    ],
  },
  { name: ".gitmodules: unreadable", base: { ".gitmodules": '[submodule "a"]\n\tpath = a\n\turl = u\n' }, write: { ".gitmodules": '[submodule "a"\n\tpath = a\n' }, expected: ["add_dependencies", "remove_dependencies", "update_dependencies"].map((category) => [category, ".gitmodules", UNREADABLE]) },
];

describe("check: Terraform and .gitmodules (SPEC §2)", () => {
  it.each(TERRAFORM)("$name", checkCase);
});

/** A real submodule: a second repository, added with `git submodule add` over the file protocol. */
function submoduleScenario(): { repo: ScratchRepo; library: ScratchRepo; first: string } {
  const library = ScratchRepo.create();
  library.write({ "lib.txt": "v1\n" });
  const first = library.commit("library v1");
  const repo = ScratchRepo.create();
  repo.write({ "README.md": "# app\n", ...policyFiles({ tester: DEPENDENCIES }) });
  repo.commit("base");
  return { repo, library, first };
}

function addSubmodule(repo: ScratchRepo, url: string, path: string): void {
  repo.git("-c", "protocol.file.allow=always", "submodule", "--quiet", "add", url, path);
}

describe("check: a submodule's pinned commit (SPEC §2)", () => {
  it("a submodule added: .gitmodules and the gitlink both add it", async () => {
    const { repo, library, first } = submoduleScenario();
    repo.branch("feature");
    addSubmodule(repo, library.dir, "libs/core");
    repo.commit("add the submodule");

    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);
    expect(seen(report.findings)).toEqual([
      { category: "add_dependencies", path: ".gitmodules", state: "pending", detail: `submodule libs/core ${library.dir}` },
      { category: "add_dependencies", path: "libs/core", state: "pending", detail: `submodule libs/core at ${first.slice(0, 7)}` },
    ]);
    expect(code).toBe(1);
  });

  it("the pinned commit moved is an update naming both commits; .gitmodules untouched gives nothing more", async () => {
    const { repo, library, first } = submoduleScenario();
    addSubmodule(repo, library.dir, "libs/core");
    repo.commit("add the submodule");
    repo.branch("feature");
    library.write({ "lib.txt": "v2\n" });
    const second = library.commit("library v2");
    repo.git("-C", "libs/core", "-c", "protocol.file.allow=always", "pull", "--quiet", "origin", "main");
    repo.commit("bump the submodule");

    const { report } = await checkJson(repo.dir, ["--role", "tester"]);
    expect(seen(report.findings)).toEqual([
      { category: "update_dependencies", path: "libs/core", state: "pending", detail: `submodule libs/core from ${first.slice(0, 7)} to ${second.slice(0, 7)}` },
    ]);
  });

  it("a submodule removed (git rm) removes it in both places", async () => {
    const { repo, library, first } = submoduleScenario();
    addSubmodule(repo, library.dir, "libs/core");
    repo.commit("add the submodule");
    repo.branch("feature");
    repo.git("rm", "--quiet", "libs/core");
    repo.commit("drop the submodule");

    const { report } = await checkJson(repo.dir, ["--role", "tester"]);
    expect(seen(report.findings)).toEqual([
      { category: "remove_dependencies", path: ".gitmodules", state: "pending", detail: `submodule libs/core ${library.dir}` },
      { category: "remove_dependencies", path: "libs/core", state: "pending", detail: `submodule libs/core (was at ${first.slice(0, 7)})` },
    ]);
  });

  it("a role that does not require dependency categories sees no submodule finding", async () => {
    const { repo, library } = submoduleScenario();
    repo.write(policyFiles({ tester: requiring("deployment") }));
    repo.commit("policy");
    repo.branch("feature");
    addSubmodule(repo, library.dir, "libs/core");
    repo.commit("add the submodule");

    const { code, report } = await checkJson(repo.dir, ["--role", "tester"]);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});
