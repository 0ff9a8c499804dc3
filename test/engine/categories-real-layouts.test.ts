/**
 * The built-in path categories on real repository layouts (SPEC §2, issue 12):
 * every rule of `database_migrations` and `deployment` with files it must
 * match and files next to them it must not. The negative rows come from real
 * repositories where the old patterns raised false alarms (a framework's own
 * migration engine, a package that migrates config files).
 */
import { describe, expect, it } from "vitest";
import { compileCategory } from "../../src/policy/categories/matchers.js";
import { defaultConfig } from "../../src/config/schema.js";

const matcher = (category: string) => compileCategory(category, defaultConfig());

interface Rule {
  rule: string;
  matches: string[];
  not?: string[];
}

const MIGRATIONS: Rule[] = [
  { rule: "Rails db/migrate/, db/schema.rb, db/structure.sql", matches: ["db/migrate/20240101120000_create_users.rb", "engines/billing/db/migrate/20230301_add_plan.rb", "db/schema.rb", "db/structure.sql", "db/animals_migrate/20240101_create_dogs.rb", "db/animals_schema.rb"], not: ["activerecord/lib/active_record/migration.rb", "activerecord/lib/active_record/migration/compatibility.rb", "db/seeds.rb"] },
  { rule: "Laravel database/migrations/", matches: ["database/migrations/2014_10_12_000000_create_users_table.php", "database/migrations/0001_01_01_000000_create_cache_table.php", "database/schema/mysql-schema.sql"], not: ["src/Illuminate/Database/Migrations/Migrator.php", "src/Illuminate/Database/Migrations/MigrationCreator.php", "src/Illuminate/Database/Migrations/stubs/migration.create.stub", "src/Illuminate/Database/Console/Migrations/MigrateCommand.php", "database/seeders/DatabaseSeeder.php", "database/factories/UserFactory.php"] },
  { rule: "Django */migrations/NNNN_*.py", matches: ["polls/migrations/0001_initial.py", "django/contrib/auth/migrations/0012_alter_user_first_name_max_length.py", "src/shop/orders/migrations/0042_auto_20240101_1200.py"], not: ["polls/migrations/__init__.py", "django/db/migrations/autodetector.py", "django/db/migrations/operations/models.py", "django/core/management/commands/makemigrations.py"] },
  { rule: "Alembic versions/", matches: ["alembic/versions/1975ea83b712_create_account_table.py", "services/api/alembic/versions/ae1027a6acf_add_a_column.py", "migrations/versions/3f2a_add_users.py"], not: ["alembic/env.py", "alembic/script.py.mako", "alembic.ini", "src/alembic/runtime/migration.py", "packaging/versions/index.py"] },
  { rule: "Flyway V1__x.sql and db/migration/", matches: ["src/main/resources/db/migration/V1__init.sql", "sql/V2_1__add_column.sql", "src/main/java/db/migration/V3__Backfill.java", "R__refresh_views.sql", "U2__undo.sql", "src/main/resources/db/migration/afterMigrate.sql"], not: ["config/migration/ConfigMigrator.java", "src/main/java/org/flywaydb/core/internal/command/DbMigrate.java", "docs/VERSIONING.md"] },
  { rule: "Prisma", matches: ["prisma/schema.prisma", "apps/api/prisma/migrations/20240101120000_init/migration.sql", "prisma/migrations/migration_lock.toml", "prisma/schema/user.prisma"], not: ["prisma/seed.ts", "packages/client/src/runtime/core/engines/Engine.ts"] },
  { rule: "TypeORM timestamped migrations", matches: ["src/migrations/1700000000000-AddUsers.ts", "src/migration/1588102048000-CreatePost.ts", "dist/migrations/1700000000000-AddUsers.js"], not: ["src/migration/MigrationExecutor.ts", "src/migrations/index.ts", "src/data-source.ts"] },
  { rule: "Knex and Sequelize", matches: ["migrations/20240101120000_create_users.js", "db/migrations/20240101120000-create-user.cjs", "server/migrations/001_init.ts"], not: ["lib/migrations/migrate/Migrator.js", "src/migrations/migrator.js", "seeders/20240101120000-demo-user.js", "knexfile.js"] },
  { rule: "Drizzle", matches: ["drizzle/0000_fluffy_hulk.sql", "drizzle/meta/_journal.json", "drizzle/meta/0000_snapshot.json", "src/db/migrations/0001_init.sql"], not: ["drizzle.config.ts", "drizzle-orm/src/migrator.ts", "src/db/schema.ts"] },
  { rule: "golang-migrate", matches: ["migrations/000001_create_users.up.sql", "db/000001_create_users.down.sql", "internal/store/schema/20240101_x.up.sql"], not: ["internal/migrate/migrate.go", "database/postgres/postgres.go", "config/migration/migrate.go", "config/migration/v1_to_v2.go"] },
  { rule: "EF Core timestamped migrations and model snapshot", matches: ["src/Shop.Data/Migrations/20240101120000_Initial.cs", "src/Shop.Data/Migrations/20240101120000_Initial.Designer.cs", "src/Shop.Data/Migrations/ShopContextModelSnapshot.cs", "Data/Migrations/20231231_AddIndex.fs"], not: ["src/EFCore.Relational/Migrations/Migrator.cs", "src/EFCore.Relational/Migrations/MigrationsSqlGenerator.cs", "src/Shop.Data/ShopContext.cs"] },
  { rule: "Liquibase", matches: ["src/main/resources/db/changelog/db.changelog-master.yaml", "src/main/resources/db/changelog/changes/001-create-users.xml", "db.changelog-1.0.xml"], not: ["liquibase-standard/src/main/java/liquibase/Liquibase.java", "liquibase-standard/src/main/java/liquibase/changelog/ChangeSet.java", "CHANGELOG.md", "changelog/unreleased/fix.yml"] },
  { rule: "*.sql under a migrations folder", matches: ["db/migrations/add_index.sql", "migrations/postgres/0002_users.sql", "sqlx/migrations/20240101_init.sql", "Migrations/Scripts/cleanup.sql"], not: ["sql/queries/users.sql", "db/seed.sql", "config/migration/README.md"] },
];

const DEPLOYMENT: Rule[] = [
  { rule: "publish workflows", matches: [".github/workflows/publish.yml", ".github/workflows/publish-docs.yml", ".github/workflows/pypi-publish.yaml", ".github/workflows/deploy.yml", ".github/workflows/release-please.yml"], not: [".github/workflows/ci.yml", ".github/workflows/tests.yml", "docs/publishing.md", "scripts/publish.sh"] },
  { rule: "compose files", matches: ["docker-compose.yml", "docker-compose.override.yml", "docker-compose.prod.yaml", "compose.yaml", "compose.override.yml", "deploy/compose-staging.yml", "services/api/compose.yml"], not: ["src/compose/App.kt", "composer.json", "compose.ts"] },
  { rule: "container and platform descriptors", matches: ["Dockerfile", "services/api/Dockerfile.prod", "build/api.Dockerfile", "Procfile", "fly.toml", "charts/api/values.yaml", "k8s/deployment.yaml"], not: ["docs/docker.md", "src/deploy.ts"] },
];

function describeRules(category: string, rules: Rule[]): void {
  describe(category, () => {
    const category_ = matcher(category);
    it.each(rules)("$rule", ({ matches, not = [] }) => {
      const missed = matches.filter((path) => category_.match(path) === undefined);
      const wrong = not.map((path) => [path, category_.match(path)]).filter(([, pattern]) => pattern !== undefined);
      expect({ missed, wrong }).toEqual({ missed: [], wrong: [] });
    });
  });
}

describeRules("database_migrations", MIGRATIONS);
describeRules("deployment", DEPLOYMENT);

describe("categories stay apart", () => {
  it("a publish workflow is deployment and still security (every workflow file is), never a migration", () => {
    const path = ".github/workflows/publish.yml";
    expect([matcher("deployment").match(path), matcher("security_changes").match(path), matcher("database_migrations").match(path)]).toEqual([
      ".github/workflows/*publish*",
      ".github/workflows/",
      undefined,
    ]);
  });
});
