package io.lifeboat.cli;

import io.lifeboat.config.StoreConfig;
import io.lifeboat.crypto.AgeEncryption;
import io.lifeboat.domain.Trigger;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code lifeboat warm-up} (hidden): a small backup of a temporary folder into a temporary store and
 * catalog, touching no service. The launcher runs it once after each build to record the classes a
 * command loads into a class-data archive, which makes every later start about a second faster.
 */
@Command(
        name = "warm-up",
        hidden = true,
        description = "Exercise a local backup once (used by the launcher to build its class-data archive).")
final class WarmUp implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("lifeboat-warm-up");
        try {
            Path data = Files.createDirectories(dir.resolve("files"));
            Files.writeString(data.resolve("sample.txt"), "warm-up\n".repeat(1000));
            Path config = dir.resolve("lifeboat.yaml");
            // encrypted with a throw-away age key, so the archive holds the encryption classes too
            Files.writeString(config, """
                    dataDir: data
                    storage: {primary: {type: filesystem, path: store, encryption: {type: age, recipients: [%s]}}}
                    targets:
                      warm-up: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                    """.formatted(AgeEncryption.generateKeyPair()[1]));
            try (Session s = new Session(config).openCatalogEarly()) {
                s.service().backup("warm-up", Trigger.manual("warm-up"), new Progress());
                s.service().stored().scan(null);
                s.service().states().state("warm-up");
            }
            // the S3 client's classes too; building it sends no request
            try (BackupStore s3 = Stores.open(
                    new StoreConfig("s3", "http://127.0.0.1:9", "warm-up", "us-east-1", "warm-up", "warm-up", null))) {
                s3.describe();
            }
            return LifeboatCommand.OK;
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
