import { describe, expect, it } from "vitest";
import { diffDependencies, ecosystemForLockfile, ecosystemForManifest, nuget } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const project = (items: string) => `<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n${items}\n  </ItemGroup>\n</Project>\n`;
const csproj = (content: string) => nuget.parse(content, "src/App/App.csproj");

describe("NuGet: which files", () => {
  it.each(["src/Shop.Api/Shop.Api.csproj", "Lib.fsproj", "Legacy.vbproj", "Directory.Packages.props", "Directory.Build.props", "packages.config"])("%s is read", (path) => {
    expect(ecosystemForManifest(path)?.id).toBe("nuget");
  });
  it.each([".csproj", "App.csproj.user", "App.sln", "nuget.config", "Directory.Build.targets"])("%s is not", (path) => {
    expect(ecosystemForManifest(path)?.id).not.toBe("nuget");
  });
  it("packages.lock.json is its lockfile", () => {
    expect(ecosystemForLockfile("src/App/packages.lock.json")?.id).toBe("nuget");
  });
});

describe("NuGet manifests", () => {
  it("reads PackageReference with attribute or element versions, properties resolved, central and private ones marked", () => {
    expect(nuget.parse(readFixture("nuget/Shop.Api.csproj"), "Shop.Api.csproj")).toEqual({
      "Microsoft.EntityFrameworkCore.SqlServer": "8.0.1",
      "Serilog.AspNetCore": "3.1.1",
      "Swashbuckle.AspNetCore": "6.5.0",
      "Microsoft.EntityFrameworkCore.Tools": "8.0.1 (private)",
      Polly: "(central)",
    });
  });

  it("reads Directory.Packages.props", () => {
    expect(nuget.parse(readFixture("nuget/Directory.Packages.props"), "Directory.Packages.props")).toEqual({
      Polly: "8.2.1",
      xunit: "2.6.6",
      "Nerdbank.GitVersioning": "3.6.133 (global)",
    });
  });

  it("reads packages.config", () => {
    expect(nuget.parse(readFixture("nuget/packages.config"), "packages.config")).toEqual({
      "Newtonsoft.Json": "13.0.3",
      NUnit: "3.14.0",
      "StyleCop.Analyzers": "1.1.118 (development)",
    });
  });

  it("diffs an update, an addition, a removal and a VersionOverride", () => {
    const base = csproj(project('    <PackageReference Include="Dapper" Version="2.1.24" />\n    <PackageReference Include="Polly" />\n    <PackageReference Include="MediatR" Version="12.2.0" />'));
    const head = csproj(project('    <PackageReference Include="Dapper" Version="2.1.28" />\n    <PackageReference Include="Polly" VersionOverride="7.2.4" />\n    <PackageReference Include="FluentValidation" Version="11.9.0" />'));
    expect(diffDependencies(base, head)).toEqual({
      added: [{ name: "FluentValidation", spec: "11.9.0" }],
      removed: [{ name: "MediatR", spec: "12.2.0" }],
      updated: [
        { name: "Dapper", from: "2.1.24", to: "2.1.28" },
        { name: "Polly", from: "(central)", to: "7.2.4 (override)" },
      ],
    });
  });

  it("Update= counts like Include=; order and whitespace change nothing", () => {
    const a = csproj(project('<PackageReference Update="A" Version="1" /><PackageReference Include="B" Version="2" />'));
    const b = csproj(project('\n\n    <PackageReference Include="B"\n                      Version="2" />\n    <PackageReference Update="A" Version="1"></PackageReference>'));
    expect(b).toEqual(a);
    expect(a).toEqual({ A: "1", B: "2" });
  });

  it.each([
    ["an unclosed element", '<Project>\n  <ItemGroup>\n    <PackageReference Include="A" Version="1">\n  </ItemGroup>\n</Project>', /^line \d+: invalid XML/],
    ["an empty file", "", /file is empty/],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(nuget, content, "App.csproj").message).toMatch(message);
  });
});
