import { describe, expect, it } from "vitest";
import { dart, diffDependencies, ecosystemForLockfile, ecosystemForManifest, helm } from "../../src/policy/dependencies/index.js";
import { parseError } from "./fixtures.js";

const CHART = `apiVersion: v2
name: shop
description: The shop and its backing services
type: application
version: 1.8.0
appVersion: "2.4.1"
dependencies:
  - name: postgresql
    version: 13.2.24
    repository: oci://registry-1.docker.io/bitnamicharts
    condition: postgresql.enabled
  - name: redis
    version: ~18.6.0
    repository: https://charts.bitnami.com/bitnami
  - name: redis
    alias: sessions
    version: ~18.6.0
    repository: https://charts.bitnami.com/bitnami
  - name: common
    version: 2.x.x
    repository: file://../common
    tags: [shared]
`;

describe("Helm Chart.yaml", () => {
  const parse = (content: string) => helm.parse(content, "charts/shop/Chart.yaml");
  it("files", () => {
    expect([ecosystemForManifest("charts/shop/Chart.yaml")?.id, ecosystemForLockfile("charts/shop/Chart.lock")?.id, ecosystemForManifest("chart.yaml")?.id]).toEqual(["helm", "helm", undefined]);
  });
  it("reads dependencies; an alias is its own dependency; repository and other keys are part of the spec", () => {
    expect(parse(CHART)).toEqual({
      postgresql: "13.2.24 condition=postgresql.enabled repository=oci://registry-1.docker.io/bitnamicharts",
      redis: "~18.6.0 repository=https://charts.bitnami.com/bitnami",
      "sessions (redis)": "~18.6.0 repository=https://charts.bitnami.com/bitnami",
      common: "2.x.x repository=file://../common tags=[shared]",
    });
  });
  it("diffs a bump and a removal; the chart's own version is not a dependency", () => {
    const head = CHART.replace("version: 13.2.24", "version: 14.0.1").replace("version: 1.8.0", "version: 1.9.0").replace(/  - name: common[\s\S]*$/, "");
    expect(diffDependencies(parse(CHART), parse(head))).toEqual({
      added: [],
      removed: [{ name: "common", spec: "2.x.x repository=file://../common tags=[shared]" }],
      updated: [{ name: "postgresql", from: "13.2.24 condition=postgresql.enabled repository=oci://registry-1.docker.io/bitnamicharts", to: "14.0.1 condition=postgresql.enabled repository=oci://registry-1.docker.io/bitnamicharts" }],
    });
  });
  it("reordered keys and entries change nothing", () => {
    const a = "dependencies:\n  - name: a\n    version: 1\n    repository: r\n  - name: b\n    version: 2\n";
    const b = "dependencies:\n- {version: 2, name: b}\n- repository: r\n  name: a\n  version: 1\n";
    expect(parse(b)).toEqual(parse(a));
  });
  it.each([
    ["dependencies as a mapping", "dependencies:\n  a: 1\n", "dependencies must be a list, found a mapping"],
    ["an entry without a name", "dependencies:\n  - version: 1\n", "dependencies[0].name must be a chart name, found nothing"],
    ["an entry that is a string", "dependencies:\n  - redis\n", "dependencies[0] must be a mapping, found a string"],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(helm, content, "Chart.yaml").message).toBe(message);
  });
});

const PUBSPEC = `name: shop_app
description: The shop's Flutter app.
publish_to: none
version: 1.2.0+12
environment:
  sdk: ">=3.2.0 <4.0.0"
dependencies:
  flutter:
    sdk: flutter
  http: ^1.1.2
  provider: ^6.1.1
  collection:
  shop_models:
    path: ../shop_models
  design_system:
    git:
      url: https://github.com/acme/design_system.git
      ref: v2.0.0
dev_dependencies:
  flutter_test:
    sdk: flutter
  flutter_lints: ^3.0.1
dependency_overrides:
  intl: 0.19.0
`;

describe("Dart pubspec.yaml", () => {
  const parse = (content: string) => dart.parse(content, "pubspec.yaml");
  it("files", () => {
    expect([ecosystemForManifest("app/pubspec.yaml")?.id, ecosystemForLockfile("app/pubspec.lock")?.id, ecosystemForManifest("pubspec.yml")?.id]).toEqual(["dart", "dart", undefined]);
  });
  it("reads dependencies, dev_dependencies and overrides; sources as sorted pairs; the SDK constraint is not a package", () => {
    expect(parse(PUBSPEC)).toEqual({
      flutter: "sdk=flutter",
      http: "^1.1.2",
      provider: "^6.1.1",
      collection: "*",
      shop_models: "path=../shop_models",
      design_system: "git={ref:v2.0.0,url:https://github.com/acme/design_system.git}",
      flutter_test: "sdk=flutter (dev)",
      flutter_lints: "^3.0.1 (dev)",
      intl: "0.19.0 (override)",
    });
  });
  it("diffs a bump and a git ref change", () => {
    const head = PUBSPEC.replace("http: ^1.1.2", "http: ^1.2.0").replace("ref: v2.0.0", "ref: v2.1.0");
    expect(diffDependencies(parse(PUBSPEC), parse(head)).updated).toEqual([
      { name: "design_system", from: "git={ref:v2.0.0,url:https://github.com/acme/design_system.git}", to: "git={ref:v2.1.0,url:https://github.com/acme/design_system.git}" },
      { name: "http", from: "^1.1.2", to: "^1.2.0" },
    ]);
  });
  it.each([
    ["invalid YAML", "dependencies:\n  http: [\n", /^line \d+: invalid YAML/],
    ["dependencies as a list", "dependencies:\n  - http\n", /dependencies must be a mapping, found a list/],
    ["a version that is a list", "dependencies:\n  http: [1]\n", /dependencies\.http must be a version or a mapping, found a list/],
  ])("could not read: %s", (_case, content, message) => {
    expect(parseError(dart, content, "pubspec.yaml").message).toMatch(message);
  });
});
