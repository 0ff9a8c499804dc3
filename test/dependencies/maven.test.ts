import { describe, expect, it } from "vitest";
import { diffDependencies, maven } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const parse = (content: string) => maven.parse(content, "pom.xml");
const pom = (body: string) => `<project><modelVersion>4.0.0</modelVersion>${body}</project>`;

describe("Maven pom.xml", () => {
  it("reads parent, dependencies, dependencyManagement and plugins, resolving properties", () => {
    expect(parse(readFixture("maven/base/pom.xml"))).toEqual({
      "org.springframework.boot:spring-boot-starter-parent": "3.2.1 (parent)",
      "org.testcontainers:testcontainers-bom:pom": "1.19.3 (managed, import)",
      "org.springframework.boot:spring-boot-starter-web": "(managed)",
      "com.fasterxml.jackson.core:jackson-databind": "2.16.1",
      "com.acme:orders-api": "1.4.0-SNAPSHOT",
      "org.testcontainers:postgresql": "(managed) (test)",
      "org.springframework.boot:spring-boot-maven-plugin": "(managed) (plugin)",
      "org.apache.maven.plugins:maven-surefire-plugin": "3.2.3 (plugin)",
    });
  });

  it("diffs a realistic change: a property bump is an update of its artifact, the parent bumped, one swapped", () => {
    expect(diffDependencies(parse(readFixture("maven/base/pom.xml")), parse(readFixture("maven/head/pom.xml")))).toEqual({
      added: [{ name: "org.flywaydb:flyway-core", spec: "(managed)" }],
      removed: [{ name: "com.acme:orders-api", spec: "1.4.0-SNAPSHOT" }],
      updated: [
        { name: "com.fasterxml.jackson.core:jackson-databind", from: "2.16.1", to: "2.17.0" },
        { name: "org.springframework.boot:spring-boot-starter-parent", from: "3.2.1 (parent)", to: "3.2.2 (parent)" },
      ],
    });
  });

  it.each([
    ["a version like 1.10 stays a string", pom("<dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1.10</version></dependency></dependencies>"), { "g:a": "1.10" }],
    ["an unknown property stays as written", pom("<dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${nope}</version></dependency></dependencies>"), { "g:a": "${nope}" }],
    ["a property of a property", pom("<properties><base>2.0</base><a.version>${base}</a.version></properties><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${a.version}</version></dependency></dependencies>"), { "g:a": "2.0" }],
    ["a self-referencing property ends", pom("<properties><x>${x}</x></properties><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${x}</version></dependency></dependencies>"), { "g:a": "${x}" }],
    ["a classifier is another artifact", pom("<dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version><classifier>tests</classifier></dependency></dependencies>"), { "g:a:tests": "1" }],
    ["a pom without dependencies", pom("<groupId>g</groupId><artifactId>a</artifactId>"), {}],
  ])("%s", (_case, content, expected) => {
    expect(parse(content)).toEqual(expected);
  });

  it("whitespace, comments and element order change nothing", () => {
    const a = pom("<dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version></dependency><dependency><groupId>g</groupId><artifactId>b</artifactId><version>2</version></dependency></dependencies>");
    const b = pom("\n  <!-- deps -->\n  <dependencies>\n    <dependency>\n      <artifactId>b</artifactId>\n      <groupId>g</groupId>\n      <version> 2 </version>\n    </dependency>\n    <dependency><version>1</version><groupId>g</groupId><artifactId>a</artifactId></dependency>\n  </dependencies>\n");
    expect(parse(b)).toEqual(parse(a));
  });

  it.each([
    ["an unclosed tag, at its line", "<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n", /^line \d+: invalid XML/],
    ["not XML", "plain words", /invalid XML/],
    ["an empty file", "", /file is empty/],
    ["an entity bomb is not expanded (and DOCTYPE is refused or ignored)", '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><project><version>&lol2;</version></project>', /.*/],
  ])("%s", (_case, content, message) => {
    let outcome: string;
    try {
      outcome = JSON.stringify(parse(content));
    } catch {
      outcome = parseError(maven, content, "pom.xml").message;
    }
    expect(outcome).toMatch(message);
    expect(outcome).not.toContain("lollol");
  });
});
