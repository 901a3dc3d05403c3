package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code restore set:ID}: a whole stack back to one point, through the real jar. */
class RecoverySetRestoreIT {

    @TempDir
    Path work;

    @Test
    void everyMemberOfASetRestoresToThePointTheSetWasTaken() throws Exception {
        Path web = Files.createDirectories(work.resolve("web"));
        Path app = Files.createDirectories(work.resolve("app"));
        Files.writeString(web.resolve("index.html"), "<h1>v1</h1>");
        Files.writeString(app.resolve("settings.conf"), "mode=v1\n");
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  web: {kind: directory, path: web, schedule: "0 0 2 * * ?", rpo: 26h}
                  app: {kind: directory, path: app, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatCli cli = new LifeboatCli(config);
        Result all = cli.run("backup", "--all");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        String setId = all.stdout().strip();

        // the stack moves on after the set was taken
        Files.writeString(web.resolve("index.html"), "<h1>v2</h1>");
        Files.writeString(app.resolve("settings.conf"), "mode=v2\n");
        assertThat(cli.run("backup", "web").exitCode()).isZero();

        Result dry = cli.run("restore", "set:" + setId, "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.stdout())
                .contains("Recovery set " + setId)
                .contains("2 of 2 member(s) to restore")
                .contains("Restore of web (directory)")
                .contains("Restore of app (directory)")
                .contains("dry run: nothing was changed");
        assertThat(work.resolve("data/restores")).doesNotExist();

        Result restored = cli.run("restore", "set:" + setId);
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        assertThat(restored.stderr()).contains("recovery set " + setId + ": every member restored");
        List<Path> places =
                restored.stdout().lines().map(String::strip).map(Path::of).toList();
        assertThat(places).hasSize(2);
        assertThat(places).allSatisfy(place -> assertThat(place).startsWith(work.resolve("data/restores")));
        // each member comes back as it was when the set was taken, not as the newer web backup
        String contents = "";
        for (Path place : places) {
            for (String name : List.of("index.html", "settings.conf")) {
                if (Files.exists(place.resolve(name))) {
                    contents += Files.readString(place.resolve(name));
                }
            }
        }
        assertThat(contents).contains("<h1>v1</h1>").contains("mode=v1").doesNotContain("v2");
        // the live folders were not touched
        assertThat(Files.readString(web.resolve("index.html"))).isEqualTo("<h1>v2</h1>");
    }

    @Test
    void aSetWithAFailedMemberRestoresTheRestAndSaysWhichIsMissing() throws Exception {
        Path web = Files.createDirectories(work.resolve("web"));
        Files.writeString(web.resolve("index.html"), "<h1>v1</h1>");
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  web: {kind: directory, path: web, schedule: "0 0 2 * * ?", rpo: 26h}
                  gone: {kind: directory, path: not-there, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatCli cli = new LifeboatCli(config);
        Result all = cli.run("backup", "--all");
        assertThat(all.exitCode()).as(all.toString()).isEqualTo(1);
        String setId = all.stdout().strip();
        assertThat(setId).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");

        Result restored = cli.run("restore", "set:" + setId);
        assertThat(restored.exitCode()).as(restored.toString()).isEqualTo(1);
        assertThat(restored.stderr())
                .contains("gone: no backup in this set")
                .contains("web: restored backup")
                .contains("NOT every member restored (no backup in the set for gone)");

        for (String[] bad : new String[][] {
            {"restore", "set:nonsense"},
            {"restore", "set:20990101T000000Z-abcdef"},
            {"restore", "set:" + setId, "--into", "x"}
        }) {
            Result r = cli.run(bad);
            assertThat(r.exitCode()).as(String.join(" ", bad) + "\n" + r).isEqualTo(2);
            assertThat(r.stderr()).contains("error").doesNotContain("\tat ");
        }
    }
}
