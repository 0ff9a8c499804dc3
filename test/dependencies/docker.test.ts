import { describe, expect, it } from "vitest";
import { diffDependencies, docker, ecosystemForManifest } from "../../src/policy/dependencies/index.js";
import { parseError, readFixture } from "./fixtures.js";

const dockerfile = (content: string) => docker.parse(content, "Dockerfile");
const compose = (content: string) => docker.parse(content, "compose.yaml");

describe("container images: which files", () => {
  it.each(["Dockerfile", "services/api/Dockerfile", "Dockerfile.prod", "build/api.Dockerfile", "worker.dockerfile", "Containerfile", "docker-compose.yml", "docker-compose.override.yaml", "compose.yaml", "deploy/compose.prod.yml", "compose-staging.yml"])("%s is read", (path) => {
    expect(ecosystemForManifest(path)?.id).toBe("docker");
  });
  it.each(["dockerfile", "Dockerfiles/README.md", ".dockerignore", "composer.json", "compose.ts", "docs/compose.md", "my-compose.yml"])("%s is not", (path) => {
    expect(ecosystemForManifest(path)?.id).not.toBe("docker");
  });
});

describe("Dockerfile FROM", () => {
  it("reads every stage's image, skipping stage references; keeps ARG references and --platform as written", () => {
    expect(dockerfile(readFixture("docker/base/Dockerfile"))).toEqual({
      node: "${NODE_VERSION}-alpine (platform: $BUILDPLATFORM)",
      golang: "1.21",
      "gcr.io/distroless/nodejs20-debian12": "nonroot",
    });
  });

  it("diffs a realistic change: a tag pinned to a digest, a stage dropped (COPY --from an image is not a FROM)", () => {
    expect(diffDependencies(dockerfile(readFixture("docker/base/Dockerfile")), dockerfile(readFixture("docker/head/Dockerfile")))).toEqual({
      added: [],
      removed: [{ name: "golang", spec: "1.21" }],
      updated: [{ name: "gcr.io/distroless/nodejs20-debian12", from: "nonroot", to: "sha256:8a4b3c1d2e9f (digest)" }],
    });
  });

  it.each([
    ["scratch is no image", "FROM golang:1.22 AS b\nFROM scratch\nCOPY --from=b /x /x\n", { golang: "1.22" }],
    ["a registry port is not a tag", "FROM localhost:5000/base\n", { "localhost:5000/base": "latest (no tag)" }],
    ["an ARG as the whole image", "ARG BASE=node:20\nFROM ${BASE}\n", { "${BASE}": "latest (no tag)" }],
    ["a platform switch is part of the spec", "FROM --platform=linux/arm64 node:20\n", { node: "20 (platform: linux/arm64)" }],
    ["the same image in two stages at two tags", "FROM node:20 AS a\nFROM node:18 AS b\nFROM node:20\n", { node: "18, 20" }],
    ["stage names are case-insensitive", "FROM node:20 AS Build\nFROM build\n", { node: "20" }],
    ["lower-case from and line continuations", "from \\\n  python:3.12-slim \\\n  as app\n", { python: "3.12-slim" }],
    ["no FROM at all", "RUN echo hi\n", {}],
    ["an empty file", "", {}],
  ])("%s", (_case, content, expected) => {
    expect(dockerfile(content)).toEqual(expected);
  });

  it("comments, blank lines and stage order change nothing", () => {
    expect(dockerfile("# base\n\nFROM   node:20   AS a\n\nFROM python:3.12 AS b\n")).toEqual(dockerfile("FROM python:3.12 AS b\nFROM node:20 AS a\n"));
  });

  it("a FROM with no image is unreadable, at its line", () => {
    expect(parseError(docker, "ARG X\n\nFROM\nRUN x\n", "Dockerfile").message).toBe("line 3: FROM names no image");
  });
});

describe("compose image:", () => {
  it("reads each service's image; build-only services have none", () => {
    expect(compose(readFixture("docker/compose.yaml"))).toEqual({
      postgres: "16.2-alpine",
      redis: "latest (no tag)",
      "ghcr.io/acme/worker": "${WORKER_TAG:-latest}",
      "localhost:5000/acme/mirror": "latest (no tag)",
    });
  });

  it("an update and a reorder", () => {
    const base = "services:\n  db:\n    image: postgres:16.2\n  cache:\n    image: redis:7\n";
    const head = "services:\n  cache: {image: 'redis:7'}\n  db:\n    image: postgres:16.3\n";
    expect(diffDependencies(compose(base), compose(head))).toEqual({ added: [], removed: [], updated: [{ name: "postgres", from: "16.2", to: "16.3" }] });
  });

  it.each([
    ["invalid YAML", "services:\n  db:\n    image: [postgres\n", /^line \d+: invalid YAML/],
    ["image as a list", "services:\n  db:\n    image: [postgres]\n", /services\.db\.image must be a string, found a list/],
    ["services as a list", "services:\n  - db\n", /services must be a mapping, found a list/],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(docker, content, "compose.yaml").message).toMatch(message);
  });
});
