import { describe, expect, it } from "vitest";
import { diffDependencies, ecosystemForManifest, gradleCatalog } from "../../src/policy/dependencies/index.js";
import { parseError } from "./fixtures.js";

const CATALOG = `[versions]
kotlin = "1.9.22"
ktor = "2.3.7"
okhttp = { strictly = "[4.11, 5[", prefer = "4.12.0" }

[libraries]
ktor-server-core = { module = "io.ktor:ktor-server-core", version.ref = "ktor" }
ktor-server-netty = { group = "io.ktor", name = "ktor-server-netty", version.ref = "ktor" }
okhttp = { module = "com.squareup.okhttp3:okhttp", version.ref = "okhttp" }
junit = "org.junit.jupiter:junit-jupiter:5.10.1"
kotlin-bom = { module = "org.jetbrains.kotlin:kotlin-bom" }

[bundles]
ktor = ["ktor-server-core", "ktor-server-netty"]

[plugins]
kotlin-jvm = { id = "org.jetbrains.kotlin.jvm", version.ref = "kotlin" }
detekt = "io.gitlab.arturbosch.detekt:1.23.4"
`;
const parse = (content: string) => gradleCatalog.parse(content, "gradle/libs.versions.toml");

describe("Gradle version catalogs", () => {
  it.each(["gradle/libs.versions.toml", "gradle/deps.versions.toml", "build-logic/gradle/libs.versions.toml"])("%s is read", (path) => {
    expect(ecosystemForManifest(path)?.id).toBe("gradle-catalog");
  });
  it.each(["libs.versions.toml", "gradle/libs.toml", "gradle/wrapper/gradle-wrapper.properties"])("%s is not", (path) => {
    expect(ecosystemForManifest(path)?.id).not.toBe("gradle-catalog");
  });

  it("reads libraries and plugins keyed by module and id, resolving version.ref and rich versions", () => {
    expect(parse(CATALOG)).toEqual({
      "io.ktor:ktor-server-core": "2.3.7",
      "io.ktor:ktor-server-netty": "2.3.7",
      "com.squareup.okhttp3:okhttp": "prefer=4.12.0 strictly=[4.11, 5[",
      "org.junit.jupiter:junit-jupiter": "5.10.1",
      "org.jetbrains.kotlin:kotlin-bom": "(no version)",
      "org.jetbrains.kotlin.jvm": "1.9.22 (plugin)",
      "io.gitlab.arturbosch.detekt": "1.23.4 (plugin)",
    });
  });

  it("a shared [versions] bump updates every library that uses it; renaming an alias is no change", () => {
    const head = CATALOG.replace('ktor = "2.3.7"', 'ktor = "2.3.8"').replace("junit = ", "junit-jupiter = ");
    expect(diffDependencies(parse(CATALOG), parse(head))).toEqual({
      added: [],
      removed: [],
      updated: [
        { name: "io.ktor:ktor-server-core", from: "2.3.7", to: "2.3.8" },
        { name: "io.ktor:ktor-server-netty", from: "2.3.7", to: "2.3.8" },
      ],
    });
  });

  it.each([
    ["a version.ref to nothing", '[libraries]\na = { module = "g:a", version.ref = "nope" }\n', 'libraries.a.version.ref names "nope", which [versions] does not define as a version'],
    ["a library with no module", '[libraries]\na = { version = "1" }\n', 'libraries.a names no module (module = "group:artifact", or group and name)'],
    ["a library string without an artifact", '[libraries]\na = "just-a-group"\n', 'libraries.a must be "group:artifact:version", found "just-a-group"'],
    ["invalid TOML", "[libraries\n", "line 1: invalid TOML: "],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(gradleCatalog, content, "gradle/libs.versions.toml").message).toContain(message);
  });
});
