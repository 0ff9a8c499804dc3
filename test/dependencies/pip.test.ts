import { describe, expect, it } from "vitest";
import { diffDependencies, pip } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => pip.parse(content, "requirements.txt");

describe("pip requirements files", () => {
  it("reads a pip-compile file: comments, options, hashes, continuations, editables and URLs", () => {
    expect(parse(readFixture("pip/base/requirements.txt"))).toEqual({
      django: "==4.2.7",
      requests: '[security]>=2.28,<3 ; python_version >= "3.8"',
      certifi: "==2023.11.17",
      "python-dateutil": "==2.8.2",
      "internal-lib": "-e git+https://github.com/acme/internal-lib.git@v1.2.0",
      "./tools/devkit": "(editable)",
      "acme-tool": "https://files.example.com/wheels/acme_tool-0.3.1-py3-none-any.whl",
      numpy: "*",
    });
  });

  it("diffs a realistic change; new hashes and a renamed spelling are not changes of their own", () => {
    const diff = diffDependencies(parse(readFixture("pip/base/requirements.txt")), parse(readFixture("pip/head/requirements.txt")));
    expect(diff).toEqual({
      added: [{ name: "urllib3", spec: '>=2.0 ; python_version >= "3.8"' }],
      removed: [{ name: "python-dateutil", spec: "==2.8.2" }],
      updated: [
        { name: "certifi", from: "==2023.11.17", to: "==2024.2.2" },
        { name: "django", from: "==4.2.7", to: "==4.2.8" },
        {
          name: "internal-lib",
          from: "-e git+https://github.com/acme/internal-lib.git@v1.2.0",
          to: "-e git+https://github.com/acme/internal-lib.git@v1.3.0",
        },
        { name: "numpy", from: "*", to: ">=1.26" },
      ],
    });
  });

  it.each([
    ["requests==2.31.0", { requests: "==2.31.0" }],
    ["requests >= 2.0, < 3", { requests: ">= 2.0, < 3" }],
    ["Flask_SQLAlchemy~=3.1", { "flask-sqlalchemy": "~=3.1" }],
    ["zope.interface", { "zope-interface": "*" }],
    ["A__B--C..D==1", { "a-b-c-d": "==1" }],
    ["uvicorn[standard]", { uvicorn: "[standard]" }],
    ['pywin32>=306; sys_platform == "win32"', { pywin32: '>=306; sys_platform == "win32"' }],
    ['colorama ; platform_system == "Windows"', { colorama: '; platform_system == "Windows"' }],
    ["pkg (>=1.0)", { pkg: "(>=1.0)" }],
    ["pip @ https://github.com/pypa/pip/archive/22.0.2.zip", { pip: "@ https://github.com/pypa/pip/archive/22.0.2.zip" }],
    ["wheel @ https://example.com/wheel-0.42.0-py3-none-any.whl", { wheel: "@ https://example.com/wheel-0.42.0-py3-none-any.whl" }],
    ["requests==2.31.0 --hash=sha256:abc --hash=sha256:def", { requests: "==2.31.0" }],
    ["pkg==1.0 --config-settings editable_mode=compat", { pkg: "==1.0" }],
    ["requests==2.31.0 \\\n    --hash=sha256:abc", { requests: "==2.31.0" }],
    ["requests\\\n==2.31.0", { requests: "==2.31.0" }],
    ["requests==2.31.0 # pinned for #1234", { requests: "==2.31.0" }],
    ["   \t# indented comment\n\n\n", {}],
    ["-r base.txt\n--requirement=other.txt\n-c constraints.txt\n-i https://pypi.example\n--extra-index-url https://x\n--pre\n-f ./wheels", {}],
    ["-e git+https://github.com/acme/lib.git@main#egg=acme-lib", { "acme-lib": "-e git+https://github.com/acme/lib.git@main" }],
    ["--editable=git+https://github.com/acme/lib.git#egg=Acme_Lib&subdirectory=py", { "acme-lib": "-e git+https://github.com/acme/lib.git" }],
    ["-e .", { ".": "(editable)" }],
    ["git+https://github.com/acme/lib.git@v2#egg=lib", { lib: "git+https://github.com/acme/lib.git@v2" }],
    ["https://example.com/pkgs/tool.tar.gz", { "https://example.com/pkgs/tool.tar.gz": "*" }],
    ["./vendor/Foo_Bar-1.0-py3-none-any.whl", { "foo-bar": "./vendor/Foo_Bar-1.0-py3-none-any.whl" }],
    ["numpy-1.26.0-cp311-cp311-linux_x86_64.whl", { numpy: "numpy-1.26.0-cp311-cp311-linux_x86_64.whl" }],
    ["plugins/acme", { "plugins/acme": "*" }],
    ["file:///opt/src/acme#egg=acme", { acme: "file:///opt/src/acme" }],
    ["six\nsix>=1.16", { six: "*, >=1.16" }],
    ['foo>=1; python_version<"3.10"\nfoo>=2; python_version>="3.10"', { foo: '>=1; python_version<"3.10", >=2; python_version>="3.10"' }],
    ["\uFEFFrequests\r\nflask\r\n", { requests: "*", flask: "*" }],
  ])("%j", (content, expected) => {
    expect(parse(content)).toEqual(expected);
  });

  it("keeps a comment line that ends in a backslash from swallowing the next line", () => {
    expect(parse("# see \\\nrequests==2.0")).toEqual({ requests: "==2.0" });
  });

  it.each([
    {
      case: "add a requirement",
      base: "flask==3.0.0\n",
      head: "flask==3.0.0\ngunicorn==21.2.0\n",
      expected: { added: [{ name: "gunicorn", spec: "==21.2.0" }], removed: [], updated: [] },
    },
    {
      case: "remove a requirement",
      base: "flask==3.0.0\ngunicorn==21.2.0\n",
      head: "flask==3.0.0\n",
      expected: { added: [], removed: [{ name: "gunicorn", spec: "==21.2.0" }], updated: [] },
    },
    {
      case: "add an environment marker",
      base: "uvloop==0.19.0\n",
      head: 'uvloop==0.19.0 ; sys_platform != "win32"\n',
      expected: { added: [], removed: [], updated: [{ name: "uvloop", from: "==0.19.0", to: '==0.19.0 ; sys_platform != "win32"' }] },
    },
    {
      case: "respell a name and reorder lines",
      base: "Django==4.2\nPyYAML==6.0.1\n",
      head: "pyyaml==6.0.1\ndjango==4.2\n",
      expected: { added: [], removed: [], updated: [] },
    },
    {
      case: "add an extra",
      base: "requests==2.31.0\n",
      head: "requests[socks]==2.31.0\n",
      expected: { added: [], removed: [], updated: [{ name: "requests", from: "==2.31.0", to: "[socks]==2.31.0" }] },
    },
  ])("$case", ({ base, head, expected }) => {
    expect(diffDependencies(parse(base), parse(head))).toEqual(expected);
  });

  it("is empty for an empty file", () => {
    expect(parse("")).toEqual({});
  });

  describe("malformed input", () => {
    it.each([
      ["a version without an operator", "flask==3.0\nrequests 2.31.0\n", 'line 2: not a requirement: "requests 2.31.0"', 2],
      ["a name ending in punctuation", "\n\n\nfoo-==1\n", 'line 4: not a requirement: "foo-==1"', 4],
      ["a lone operator character", "flask !3", 'line 1: not a requirement: "flask !3"', 1],
      ["a conflict marker naming a branch", ">>>>>>> feature/x", 'line 1: not a requirement: ">>>>>>> feature/x"', 1],
      ["the start of a merge conflict", "flask==3.0\n<<<<<<< HEAD\n", 'line 2: not a requirement: "<<<<<<< HEAD"', 2],
      ["the end of a merge conflict", "a==1\n=======\nb==1\n>>>>>>> feature/x\n", 'line 2: not a requirement: "======="', 2],
      ["a continued line", "ok==1\nbad \\\n thing", 'line 2: not a requirement: "bad  thing"', 2],
      ["binary content", "flask\n\u0000\u0001\u0002", "line 2: not a text file (contains a NUL byte)", 2],
    ])("%s", (_case, content, message, line) => {
      const error = parseError(pip, content, "requirements.txt");
      expect(error.message).toBe(message);
      expect(error.line).toBe(line);
    });

    it("cuts a long offending line short in the message", () => {
      const error = parseError(pip, `${"x".repeat(500)} 1.0`, "requirements.txt");
      expect(error.message).toBe(`line 1: not a requirement: "${"x".repeat(77)}..."`);
    });
  });
});
