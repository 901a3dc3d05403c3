package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.restore.PostgresRestorer.TableRef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The names, quoting and parsing the PostgreSQL restorer relies on, without a server. */
class PostgresRestorerTest {

    static final String STAMP = "20261123194500";

    @Test
    void generatedNamesArePlainAndFitPostgresLimitOfSixtyThreeBytes() {
        assertThat(PostgresRestorer.defaultName("app", STAMP)).isEqualTo("app_restore_" + STAMP);
        assertThat(PostgresRestorer.defaultName("My-App DB", STAMP)).isEqualTo("my_app_db_restore_" + STAMP);
        assertThat(PostgresRestorer.defaultName("9lives", STAMP)).isEqualTo("db_9lives_restore_" + STAMP);
        String longName = PostgresRestorer.defaultName("x".repeat(100), STAMP);
        assertThat(longName).hasSize(63).endsWith("_restore_" + STAMP);
        assertThat(PostgresRestorer.checkedDatabaseName(longName, "app", false)).isEqualTo(longName);

        String kept = PostgresRestorer.derivedName("ünïcödé-".repeat(10), "_pre_restore_", STAMP);
        assertThat(kept.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(kept).endsWith("_pre_restore_" + STAMP).doesNotContain("\uFFFD");
    }

    @Test
    void intoNamesFromUsersArePlainLowerCaseAndNeverTheLiveOrASystemDatabase() {
        assertThat(PostgresRestorer.checkedDatabaseName("app_copy", "app", false))
                .isEqualTo("app_copy");
        for (String bad : List.of(
                "", "x; drop database y", "a\"b", "a'b", "Upper", "1abc", "a-b", "a b", "a".repeat(64), "x\u0000y")) {
            assertThatThrownBy(() -> PostgresRestorer.checkedDatabaseName(bad, "app", false))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a-z, 0-9 and _");
        }
        assertThatThrownBy(() -> PostgresRestorer.checkedDatabaseName("template0", "app", false))
                .hasMessageContaining("system database");
        assertThatThrownBy(() -> PostgresRestorer.checkedDatabaseName("app", "app", false))
                .hasMessageContaining("--replace");
        assertThat(PostgresRestorer.checkedDatabaseName("app", "app", true))
                .as("one table may go back into the live database")
                .isEqualTo("app");
    }

    @Test
    void identifiersAndLiteralsAreQuotedSoAnyNameIsTakenLiterally() {
        assertThat(PostgresRestorer.ident("app")).isEqualTo("\"app\"");
        assertThat(PostgresRestorer.ident("a\"; drop database x; --")).isEqualTo("\"a\"\"; drop database x; --\"");
        assertThat(PostgresRestorer.literal("it's")).isEqualTo("'it''s'");
        assertThatThrownBy(() -> PostgresRestorer.ident("a\u0000b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresRestorer.literal("a\\b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void commandsShowAsTheyWouldBeTypedInAShell() {
        assertThat(PostgresRestorer.shell(List.of("pg_restore", "--dbname", "app", "--table", "odd \"name\" it's")))
                .isEqualTo("pg_restore --dbname app --table 'odd \"name\" it'\\''s'");
    }

    @Test
    void tablesAreReadFromTheArchivesTableOfContents() {
        assertThat(PostgresRestorer.parseTocLine("215; 1259 16390 TABLE public users postgres"))
                .contains(new TableRef("public", "users"));
        assertThat(PostgresRestorer.parseTocLine("216; 1259 16397 TABLE public odd \"name\" x postgres"))
                .contains(new TableRef("public", "odd \"name\" x"));
        assertThat(PostgresRestorer.parseTocLine("3349; 0 16390 TABLE DATA public users postgres"))
                .isEmpty();
        assertThat(PostgresRestorer.parseTocLine(";     Dumped from database version: 15.20"))
                .isEmpty();
        assertThat(PostgresRestorer.parseTocLine("3206; 2606 16396 CONSTRAINT public users users_pkey postgres"))
                .isEmpty();
    }

    @Test
    void aTableIsFoundByNameOrSchemaAndNameAndAmbiguityOrAbsenceIsAClearError() {
        List<TableRef> toc = List.of(
                new TableRef("public", "users"), new TableRef("audit", "users"), new TableRef("public", "orders"));
        assertThat(PostgresRestorer.find(toc, PostgresRestorer.parseTable("orders"), "b1"))
                .isEqualTo(new TableRef("public", "orders"));
        assertThat(PostgresRestorer.find(toc, PostgresRestorer.parseTable("audit.users"), "b1"))
                .isEqualTo(new TableRef("audit", "users"));
        assertThatThrownBy(() -> PostgresRestorer.find(toc, PostgresRestorer.parseTable("users"), "b1"))
                .hasMessageContaining("several schemas")
                .hasMessageContaining("audit.users, public.users");
        assertThatThrownBy(() -> PostgresRestorer.find(toc, PostgresRestorer.parseTable("nope"), "b1"))
                .hasMessageContaining("backup b1 has no such table")
                .hasMessageContaining("audit.users, public.orders, public.users");
        for (String bad : List.of("", ".x", "x.", "a\tb", "x".repeat(64))) {
            assertThatThrownBy(() -> PostgresRestorer.parseTable(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--table");
        }
    }

    @Test
    void userInputInMessagesIsQuotedEscapedAndCut() {
        assertThat(PostgresRestorer.shown("a\nb")).isEqualTo("'a\\u000ab'");
        assertThat(PostgresRestorer.shown("y".repeat(200))).hasSizeLessThan(120).contains("(200 characters)");
    }
}
