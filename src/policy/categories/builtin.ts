/**
 * The categories roleguard knows, and the default patterns of those triggered
 * by paths. Patterns use the gitignore-style syntax of SPEC §3: no slash means
 * any depth, a trailing slash means "everything below".
 */

export const DEPENDENCY_CATEGORIES = ["add_dependencies", "remove_dependencies", "update_dependencies"] as const;
export type DependencyCategory = (typeof DEPENDENCY_CATEGORIES)[number];

export const PATH_CATEGORY_DEFAULTS = {
  database_migrations: [
    // Generic folders: TypeORM, Knex, Sequelize, Django, golang-migrate, Flyway, EF Core
    "migrations/",
    "migration/",
    "Migrations/",
    "*ModelSnapshot.cs",
    "seeders/",
    // Prisma
    "schema.prisma",
    "**/prisma/migrations/",
    // Drizzle
    "drizzle/",
    // Rails
    "**/db/migrate/",
    "**/db/schema.rb",
    "**/db/structure.sql",
    // Alembic
    "**/alembic/versions/",
    // Flyway and golang-migrate file names wherever they live
    "V[0-9]*__*.sql",
    "R__*.sql",
    "*.up.sql",
    "*.down.sql",
    // Liquibase
    "liquibase/",
    "db.changelog*",
    "**/changelog/*.{xml,yaml,yml,json,sql}",
  ],
  deployment: [
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    ".dockerignore",
    "docker-compose*.{yml,yaml}",
    "compose.{yml,yaml}",
    "Procfile",
    "fly.toml",
    "vercel.json",
    "netlify.toml",
    "serverless.{yml,yaml,ts,js,json}",
    "app.yaml",
    "render.yaml",
    "railway.{json,toml}",
    "appspec.{yml,yaml}",
    "Chart.yaml",
    "charts/",
    "helm/",
    "k8s/",
    "kubernetes/",
    "kustomization.{yml,yaml}",
    "skaffold.{yml,yaml}",
    "deploy/",
    "deployment/",
    "deployments/",
    "**/config/deploy.rb",
    "**/config/deploy/",
    ".github/workflows/*deploy*",
    ".github/workflows/*release*",
    ".goreleaser.{yml,yaml}",
    ".releaserc*",
    "release.config.*",
    "release-please-config.json",
  ],
  infrastructure_changes: [
    "infrastructure/",
    "infra/",
    "terraform/",
    "*.tf",
    "*.tf.json",
    "*.tfvars",
    "*.tfvars.json",
    ".terraform.lock.hcl",
    "terragrunt.hcl",
    "Pulumi.yaml",
    "Pulumi.*.yaml",
    "pulumi/",
    "cloudformation/",
    "*.cfn.{json,yml,yaml}",
    "*.template.{json,yml,yaml}",
    "samconfig.toml",
    "cdk.json",
    "cdk/",
    "ansible/",
    "ansible.cfg",
    "playbooks/",
    "*.playbook.{yml,yaml}",
  ],
  security_changes: [
    "CODEOWNERS",
    "SECURITY.md",
    "security/",
    "auth/",
    "authentication/",
    "authorization/",
    "*.pem",
    "*.key",
    "*.crt",
    "*.cer",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "id_rsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".env",
    ".env.*",
    ".npmrc",
    ".yarnrc.yml",
    ".pypirc",
    ".netrc",
    ".github/workflows/",
    ".github/settings.yml",
    ".github/dependabot.yml",
  ],
  api_contract_changes: [
    "openapi.{json,yaml,yml}",
    "*.openapi.{json,yaml,yml}",
    "openapi/",
    "swagger.{json,yaml,yml}",
    "*.swagger.{json,yaml,yml}",
    "*.proto",
    "*.graphql",
    "*.graphqls",
    "*.gql",
  ],
  /** Always on for a role-bound author; the config's role paths are added at evaluation time. */
  governance: [
    "/.github/roleguard.yml",
    "/.github/roleguard.yaml",
    "CODEOWNERS",
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
    ".cursorrules",
    ".windsurfrules",
    "/.github/copilot-instructions.md",
    "/.github/instructions/",
    "/.github/agents/",
    ".claude/",
    ".cursor/",
    ".valora/",
  ],
} as const satisfies Record<string, readonly string[]>;
export type PathCategory = keyof typeof PATH_CATEGORY_DEFAULTS;

/** Categories whose trigger is not a path pattern. */
export const SPECIAL_CATEGORIES = [
  "forbidden_paths",
  "delete_files",
  ...DEPENDENCY_CATEGORIES,
  "commit",
  "low_confidence",
] as const;

export const BUILTIN_CATEGORIES: readonly string[] = [...SPECIAL_CATEGORIES, ...Object.keys(PATH_CATEGORY_DEFAULTS)];

export function isPathCategory(id: string): id is PathCategory {
  return Object.hasOwn(PATH_CATEGORY_DEFAULTS, id);
}

export function isDependencyCategory(id: string): id is DependencyCategory {
  return (DEPENDENCY_CATEGORIES as readonly string[]).includes(id);
}
