package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees from the launcher jar when the config is wrong: every problem at once, a non-zero exit. */
class CommandLineIT {

    @TempDir
    Path work;

    @Test
    void anInvalidConfigNamesEveryBadKeyAtOnceAndExitsNonZero() throws Exception {
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                storage:
                  primary: {type: s3, endpoint: "http://127.0.0.1:9", bucket: lifeboat, accessKey: key, secretKey: "${LIFEBOAT_IT_UNSET_SECRET}"}
                targets:
                  db: {kind: mysql, schedule: "0 0 2 * * ?", rpo: 26h}
                  files: {kind: directory, path: ., schedule: "0 0 25 * * ?", rpo: 26h}
                  cache: {kind: redis, url: "redis://127.0.0.1:6379", schedule: "0 0 2 * * ?", rpo: soon}
                """);
        for (String command : new String[] {"status", "backup files", "run"}) {
            Result r = new LifeboatCli(config).run(command.split(" "));
            assertThat(r.exitCode()).as(command + "\n" + r).isEqualTo(2);
            assertThat(r.stderr())
                    .contains("4 problems")
                    .contains("storage.primary.secretKey")
                    .contains("LIFEBOAT_IT_UNSET_SECRET")
                    .contains("targets.db.kind")
                    .contains("targets.files.schedule")
                    .contains("targets.cache.rpo")
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aMissingConfigFileIsAClearError() throws Exception {
        Result r = new LifeboatCli(work.resolve("nowhere.yaml")).run("list");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("nowhere.yaml").doesNotContain("\tat ");
    }

    @Test
    void anUnknownCommandPrintsUsage() throws Exception {
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(
                config,
                "storage: {primary: {type: filesystem, path: store}}\ntargets: {t: {kind: directory, path: ., schedule: \"0 0 2 * * ?\", rpo: 1d}}\n");
        Result r = new LifeboatCli(config).run("explode");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("Unmatched argument").contains("'explode'");
    }
}
