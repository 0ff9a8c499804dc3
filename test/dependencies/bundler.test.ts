import { describe, expect, it } from "vitest";
import { bundler, diffDependencies } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => bundler.parse(content, "Gemfile");

describe("bundler Gemfile", () => {
  it("reads gems with requirements, sources and groups, skipping everything else", () => {
    expect(parse(readFixture("bundler/base/Gemfile"))).toEqual({
      rails: "~> 7.1.2",
      pg: "~> 1.1",
      puma: ">= 5.0, < 7",
      bootsnap: "*",
      "tzinfo-data": "*",
      sidekiq: "~> 7.2",
      acme_auth: "* (git: https://github.com/acme/acme_auth.git, branch: main)",
      debug: "* (group: development,test)",
      "rspec-rails": "~> 6.1 (group: development,test)",
      "web-console": "* (group: development)",
      "rack-mini-profiler": "* (group: development)",
      listen: "~> 3.8 (group: development)",
      capybara: "* (group: test)",
      "selenium-webdriver": "* (group: test)",
      lograge: "* (group: production)",
    });
  });

  it("diffs a realistic change: a bump, a git ref change, a gem moved out of its group, an add and a removal", () => {
    const diff = diffDependencies(parse(readFixture("bundler/base/Gemfile")), parse(readFixture("bundler/head/Gemfile")));
    expect(diff).toEqual({
      added: [{ name: "webmock", spec: "~> 3.19 (group: test)" }],
      removed: [{ name: "listen", spec: "~> 3.8 (group: development)" }],
      updated: [
        {
          name: "acme_auth",
          from: "* (git: https://github.com/acme/acme_auth.git, branch: main)",
          to: "* (git: https://github.com/acme/acme_auth.git, tag: v1.4.0)",
        },
        { name: "rails", from: "~> 7.1.2", to: "~> 7.1.3" },
        { name: "rspec-rails", from: "~> 6.1 (group: development,test)", to: "~> 6.1" },
      ],
    });
  });

  it("applies source blocks, nested groups, =begin comments and keyword blocks", () => {
    expect(parse(readFixture("bundler/blocks/Gemfile"))).toEqual({
      acme_models: "* (git: https://github.com/acme/monorepo.git, branch: release)",
      acme_jobs: "~> 2.0 (git: https://github.com/acme/monorepo.git, branch: release)",
      activesupport: "* (github: rails/rails, ref: a1b2c3d)",
      acme_secret: "1.2.0 (source: https://gems.acme.example)",
      billing_engine: "* (path: vendor/engines)",
      "jruby-openssl": "* (group: ci,test)",
      "truffle-extras": "*",
      rubocop: "* (group: development)",
      nokogiri: ">= 1.15",
      json: "JSON_VERSION",
      weird: "*",
    });
  });

  it.each([
    ["double quotes", 'gem "rack", "~> 3.0"', { rack: "~> 3.0" }],
    ["single quotes", "gem 'rack', '~> 3.0'", { rack: "~> 3.0" }],
    ["parentheses", 'gem("rack", "~> 3.0", require: false)', { rack: "~> 3.0" }],
    ["hash-rocket options", 'gem "rack", :git => "https://x/rack.git", :branch => "edge"', { rack: "* (git: https://x/rack.git, branch: edge)" }],
    ["a requirement array", 'gem "rack", [">= 2", "< 4"]', { rack: ">= 2, < 4" }],
    ["a group option with an array", 'gem "rack", groups: [:test, :development]', { rack: "* (group: development,test)" }],
    ["a group given as a string", 'gem "rack", group: "test"', { rack: "* (group: test)" }],
    ["a group block with a string and a symbol", 'group "ci", :test do\n  gem "rack"\nend', { rack: "* (group: ci,test)" }],
    ["a trailing comment with a quote", 'gem "rack" # Bob\'s favourite', { rack: "*" }],
    ["a # inside a string", 'gem "rack", git: "https://x/rack.git#main"', { rack: "* (git: https://x/rack.git#main)" }],
    ["an escaped quote in a string", 'gem "rack", "~> \\"3\\""', { rack: '~> "3"' }],
    ["a backslash continuation", 'gem "rack", \\\n  "~> 3.0"', { rack: "~> 3.0" }],
    ["a duplicate gem for two platforms", 'gem "ffi", "1.15", platforms: :mri\ngem "ffi", "1.16", platforms: :jruby', { ffi: "1.15, 1.16" }],
    ["a block with a parameter", 'install_if -> { RUBY_PLATFORM =~ /darwin/ } do |x|\n  gem "rb-fsevent"\nend\ngem "rack"', { "rb-fsevent": "*", rack: "*" }],
    ["a one-line if", 'if ENV["CI"] then gem "ci_reporter" end\ngroup :test do\n  gem "rack"\nend', { rack: "* (group: test)" }],
    ["an end without a block", 'end\ngem "rack"', { rack: "*" }],
    ["a group that is never closed", 'group :test do\n  gem "rack"', { rack: "* (group: test)" }],
    ["gems.rb syntax with CRLF", 'source "https://rubygems.org"\r\ngem "rack"\r\n', { rack: "*" }],
    ["gemspec, ruby, source, plugin and eval_gemfile", 'gemspec\nruby "3.3.0"\nsource "https://rubygems.org"\nplugin "bundler-graph"\neval_gemfile "Gemfile.local"', {}],
    ["a gem named by a variable", "gem name_from_env, '1.0'", {}],
    ["an empty file", "", {}],
    ["Ruby that is not a Gemfile", "class Foo\n  def bar; end\nend\n@x = [1, 2,\n 3]\n", {}],
    ["random punctuation", '{[(\'"#=>:,\\', {}],
  ])("%s", (_case, content, expected) => {
    expect(parse(content)).toEqual(expected);
  });

  it.each([
    {
      case: "move a gem into a group block",
      base: 'gem "pry"\n',
      head: 'group :development do\n  gem "pry"\nend\n',
      expected: { added: [], removed: [], updated: [{ name: "pry", from: "*", to: "* (group: development)" }] },
    },
    {
      case: "switch a gem to a fork on GitHub",
      base: 'gem "devise", "~> 4.9"\n',
      head: 'gem "devise", github: "acme/devise", branch: "fix-2fa"\n',
      expected: { added: [], removed: [], updated: [{ name: "devise", from: "~> 4.9", to: "* (github: acme/devise, branch: fix-2fa)" }] },
    },
    {
      case: "reorder groups in a block header",
      base: 'group :test, :development do\n  gem "rspec"\nend\n',
      head: 'group :development, :test do\n  gem "rspec"\nend\n',
      expected: { added: [], removed: [], updated: [] },
    },
    {
      case: "change an option that does not matter",
      base: 'gem "bootsnap", require: false\n',
      head: 'gem "bootsnap", require: "bootsnap/setup"\n',
      expected: { added: [], removed: [], updated: [] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(base), parse(head))).toEqual(expected);
  });

  describe("malformed input", () => {
    it("rejects binary content only", () => {
      const error = parseError(bundler, 'gem "rack"\n\u0000\u0001', "Gemfile");
      expect(error.message).toBe("line 2: not a text file (contains a NUL byte)");
      expect(error.line).toBe(2);
    });

    it("skips lines it cannot read instead of failing", () => {
      const content = 'gem "rack"\n<<<<<<< HEAD\ngem "rails", "7.1"\n=======\ngem "rails", "7.0"\n>>>>>>> main\ngem (\ngem ""\ngem "sinatra",';
      expect(parse(content)).toEqual({ rack: "*", rails: "7.1, 7.0", sinatra: "*" });
    });
  });
});
