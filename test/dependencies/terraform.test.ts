import { describe, expect, it } from "vitest";
import { diffDependencies, ecosystemForLockfile, ecosystemForManifest, terraform } from "../../src/policy/dependencies/index.js";
import { parseHcl } from "../../src/policy/dependencies/hcl.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => terraform.parse(content, "infra/main.tf");

describe("Terraform: which files", () => {
  it.each(["main.tf", "infra/prod/versions.tf", "modules/x/main.tofu", "versions.tf.json"])("%s is a manifest", (path) => {
    expect(ecosystemForManifest(path)?.id).toBe("terraform");
  });
  it.each(["terraform.tfvars", "main.tf.bak", "main.tfstate", ".terraform.lock.hcl", "notes.tf.md", "tf"])("%s is not", (path) => {
    expect(ecosystemForManifest(path)?.id).not.toBe("terraform");
  });
  it(".terraform.lock.hcl is its lockfile", () => {
    expect(ecosystemForLockfile("infra/.terraform.lock.hcl")?.id).toBe("terraform");
  });
});

describe("Terraform: reading a root module", () => {
  it("providers by source with their constraints, registry modules by source with their version, a git ref as the version, local modules skipped", () => {
    expect(parse(readFixture("terraform/main.tf"))).toEqual({
      "hashicorp/aws": "~> 5.31",
      "hashicorp/random": "(any version)",
      "datadog/datadog": ">= 3.30, < 4.0",
      "hashicorp/kubernetes": "~> 2.24",
      "terraform-aws-modules/vpc/aws": "5.4.0",
      "git::https://github.com/acme/terraform-eks.git//modules/cluster": "v2.3.1 (git ref)",
    });
  });

  it("the JSON syntax (*.tf.json) reads the same declarations", () => {
    expect(terraform.parse(readFixture("terraform/versions.tf.json"), "versions.tf.json")).toEqual({
      "hashicorp/google": "~> 5.10",
      "terraform-google-modules/network/google": "9.0.0",
    });
  });

  it("a file with resources only has no dependencies; an empty file neither", () => {
    expect(parse('resource "aws_instance" "web" {\n  ami = "ami-123"\n}\n')).toEqual({});
    expect(parse("")).toEqual({});
  });

  it("the same module called twice at two versions keeps both, sorted", () => {
    const calls = 'module "a" {\n  source = "x/y/aws"\n  version = "2.0.0"\n}\nmodule "b" {\n  source = "x/y/aws"\n  version = "1.0.0"\n}\n';
    expect(parse(calls)).toEqual({ "x/y/aws": "1.0.0, 2.0.0" });
  });

  it("a version that is not a literal is kept as written", () => {
    expect(parse('module "a" {\n  source  = "x/y/aws"\n  version = var.pinned\n}\n')).toEqual({ "x/y/aws": "var.pinned" });
  });

  it("strings: escapes, a literal $${, and templates nested in templates", () => {
    const body = parseHcl('a = "tab\\t\\u00e9 $${not} \\"q\\""\nb = "${x("}")}-${"in ${y}"}"\nc = <<EOT\n  kept ${z}\nEOT\n');
    expect(body.attributes.map((each) => each.value)).toEqual([
      { kind: "string", value: 'tab\té ${not} "q"', literal: true, line: 1 },
      { kind: "string", value: '${x("}")}-${"in ${y}"}', literal: false, line: 2 },
      { kind: "string", value: "  kept ${z}\n", literal: false, line: 3 },
    ]);
  });

  it("blocks, labels, one-line blocks and line numbers", () => {
    const body = parseHcl('# c\nresource "a" "b" {\n  x { y = 1 }\n  z = [\n    1,\n  ]\n}\n');
    expect(body.blocks).toHaveLength(1);
    expect(body.blocks[0]).toMatchObject({ type: "resource", labels: ["a", "b"], line: 2 });
    expect(body.blocks[0]?.body.blocks[0]).toMatchObject({ type: "x", line: 3, body: { attributes: [{ name: "y", line: 3 }] } });
    expect(body.blocks[0]?.body.attributes[0]).toMatchObject({ name: "z", line: 4, value: { kind: "expression", text: "[ 1, ]" } });
  });
});

describe("Terraform: diffs", () => {
  const base = readFixture("terraform/main.tf");

  it("a provider bumped, a module added, one removed", () => {
    const head = base
      .replace('version = "~> 5.31"', 'version = "~> 5.40"')
      .replace(/module "eks" \{[\s\S]*?\n\}\n/, 'module "rds" {\n  source  = "terraform-aws-modules/rds/aws"\n  version = "6.3.0"\n}\n');
    expect(diffDependencies(parse(base), parse(head))).toEqual({
      added: [{ name: "terraform-aws-modules/rds/aws", spec: "6.3.0" }],
      removed: [{ name: "git::https://github.com/acme/terraform-eks.git//modules/cluster", spec: "v2.3.1 (git ref)" }],
      updated: [{ name: "hashicorp/aws", from: "~> 5.31", to: "~> 5.40" }],
    });
  });

  it("a git ref moved is an update", () => {
    const head = base.replace("?ref=v2.3.1", "?ref=v2.4.0");
    expect(diffDependencies(parse(base), parse(head)).updated).toEqual([
      { name: "git::https://github.com/acme/terraform-eks.git//modules/cluster", from: "v2.3.1 (git ref)", to: "v2.4.0 (git ref)" },
    ]);
  });

  it("reformatting, comments and reordering change nothing", () => {
    const reordered = `module "vpc" {
    version = "5.4.0"   # moved up
    source = "terraform-aws-modules/vpc/aws"
}
terraform {
  required_providers {
    kubernetes = "~> 2.24"
    datadog = { version = ">= 3.30, < 4.0", source = "DataDog/datadog" }
    random = { source = "hashicorp/random" }
    aws = {
      version = "~> 5.31"
      source = "hashicorp/aws"
    }
  }
}
module "eks" { source = "git::https://github.com/acme/terraform-eks.git//modules/cluster?ref=v2.3.1" }
`;
    expect(parse(reordered)).toEqual(parse(base));
  });
});

describe("Terraform: could not read", () => {
  it.each([
    ["an unclosed block", "terraform {\n  required_providers {\n", "line 3: block opened on line 2 is never closed"],
    ["an unclosed string", 'module "a" {\n  source = "x/y\n}\n', "line 2: unterminated string (a quoted string cannot span lines)"],
    ["an unclosed heredoc", "locals {\n  a = <<EOT\n  hi\n}\n", "line 2: unterminated heredoc: no line with only EOT closes it"],
    ["an unclosed interpolation", 'a = "${b"\n', "line 1: unterminated string (a quoted string cannot span lines)"],
    ["mismatched brackets", "a = (1]\n", 'line 1: "]" does not match the open bracket (expected ")")'],
    ["two values on a line", "a = 1 b = 2\n", 'line 1: expected a line end, found "="'],
    ["a stray closing brace", "}\n", 'line 1: unexpected "}" with no block open'],
    ["a block without a body", 'module "a"\n', 'line 1: expected "=" or a block\'s "{" after "module", found a line end'],
    ["an unclosed comment", "/* note\n", "line 1: unterminated /* comment"],
    ["a module without a source", 'module "a" {\n  version = "1"\n}\n', "module.a has no source"],
    ["a provider source that is an object", "terraform {\n  required_providers {\n    aws = { source = { a = 1 } }\n  }\n}\n", "line 3: required_providers.aws.source must be a string, found an object"],
    ["an invalid character", "a = 1 ; b\n", 'line 1: unexpected character ";"'],
    ["two object items run together", 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" version = "~> 5.0" }\n  }\n}\n', 'line 3: expected "," or a line end between two object items'],
  ])("%s", (_case, content, message) => {
    expect(parseError(terraform, content, "main.tf").message).toBe(message);
  });

  it("invalid JSON syntax", () => {
    expect(parseError(terraform, '{"module": ', "main.tf.json").message).toMatch(/^invalid JSON/);
  });
});

describe("Terraform: hostile input stays linear", () => {
  const MB = 1024 * 1024;
  it("a closed <<-EOT heredoc of 200k lines reads (its indent found without spreading 200k arguments)", () => {
    expect(parse(`locals {\n  x = <<-EOT\n${"  y\n".repeat(200_000)}EOT\n}\n`)).toEqual({});
  });

  // The inputs that made HashiCorp's parser, compiled to WebAssembly, spin for a minute or abort the process.
  it.each([
    ["an unclosed heredoc of 128k lines", `x = <<EOT\n${"y\n".repeat(128 * 1024)}`],
    ["1 MB of nested interpolations", `x = "${"${".repeat(MB / 2)}`],
    ["1 MB of nested brackets", `x = ${"[".repeat(MB)}`],
    ["1 MB of nested objects", `x = ${"{a=".repeat(MB / 3)}`],
    ["100k nested blocks", "a {\n".repeat(100_000)],
  ])("%s is an error in well under a second", (_case, content) => {
    const started = performance.now();
    expect(() => parse(content)).toThrow();
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("a 5 MB file of module calls parses completely", () => {
    const count = 60_000;
    const content = Array.from({ length: count }, (_, index) => `module "m${index}" {\n  source  = "acme/m${index}/aws"\n  version = "1.${index}"\n}\n`).join("");
    expect(content.length).toBeGreaterThan(4 * MB);
    const map = parse(content);
    expect(Object.keys(map)).toHaveLength(count);
    expect(map[`acme/m${count - 1}/aws`]).toBe(`1.${count - 1}`);
  });

  it("100k nested blocks that do close are read without recursion", () => {
    expect(parse(`${"a {\n".repeat(100_000)}${"}\n".repeat(100_000)}`)).toEqual({});
  });
});
