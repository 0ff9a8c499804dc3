/**
 * The categories roleguard knows, and the default patterns of those triggered
 * by paths. Patterns use the gitignore-style syntax of SPEC §3: no slash means
 * any depth, a trailing slash means "everything below".
 */

export const DEPENDENCY_CATEGORIES = ["add_dependencies", "remove_dependencies", "update_dependencies"] as const;
export type DependencyCategory = (typeof DEPENDENCY_CATEGORIES)[number];

export const PATH_CATEGORY_DEFAULTS = {
  /**
   * The files migration tools read, not every file of a folder that happens
   * to be called `migrations`: a framework's own migration engine
   * (`src/Illuminate/Database/Migrations/Migrator.php`, `django/db/migrations/
   * autodetector.py`) and a package that migrates config files
   * (`config/migration/`) are code. A migration file in a migrations folder
   * starts with its number or timestamp (Django `0001_`, Laravel `2014_10_12_`,
   * TypeORM `1700000000000-`, Knex/Sequelize `20240101120000`, EF Core, Ecto).
   */
  database_migrations: [
    // Numbered or timestamped migrations of Django, Laravel, TypeORM, Knex, Sequelize, Ecto, EF Core, goose
    "**/migrations/**/[0-9]*",
    "**/migration/**/[0-9]*",
    "**/Migrations/**/[0-9]*",
    // Any SQL under a migrations folder (dbmate, goose, sqlx, Drizzle's custom out folder...)
    "**/migrations/**/*.sql",
    "**/migration/**/*.sql",
    "**/Migrations/**/*.sql",
    // EF Core's model snapshot
    "*ModelSnapshot.cs",
    // Prisma
    "*.prisma",
    "**/prisma/migrations/",
    // Drizzle's default output folder
    "**/drizzle/*.sql",
    "**/drizzle/meta/*.json",
    // Rails (and its multi-database `db/<name>_migrate/`)
    "**/db/migrate/",
    "**/db/*_migrate/",
    "**/db/schema.rb",
    "**/db/*_schema.rb",
    "**/db/structure.sql",
    // Laravel
    "**/database/migrations/",
    "**/database/schema/*.{sql,dump}",
    // Alembic, and Flask-Migrate's alembic folder
    "**/alembic/versions/*.py",
    "**/migrations/versions/*.py",
    // Flyway (SQL and Java/Kotlin migrations) wherever they live, and its default folder
    "V[0-9]*__*.{sql,java,kt}",
    "U[0-9]*__*.sql",
    "R__*.{sql,java,kt}",
    "**/db/migration/",
    // golang-migrate
    "*.up.sql",
    "*.down.sql",
    // Liquibase
    "db.changelog*.{xml,yaml,yml,json,sql}",
    "**/db/changelog/",
  ],
  deployment: [
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    ".dockerignore",
    "docker-compose*.{yml,yaml}",
    "compose.{yml,yaml}",
    "compose.*.{yml,yaml}",
    "compose-*.{yml,yaml}",
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
    ".github/workflows/*publish*",
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
