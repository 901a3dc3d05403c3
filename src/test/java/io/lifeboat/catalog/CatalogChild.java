package io.lifeboat.catalog;

import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import io.lifeboat.domain.Trigger;
import java.nio.file.Path;
import java.time.Instant;

/** Run in a second JVM by {@link CatalogTest}: uses the embedded catalog another process holds open. */
public final class CatalogChild {

    public static void main(String[] args) {
        try (Catalog catalog = Catalog.open(new CatalogConfig(null, null, null), Path.of(args[0]))) {
            long run = catalog.runStarted(args[1], "backup", Trigger.manual("from another process"), Instant.now());
            catalog.runFinished(run, RunRow.SUCCEEDED, null, null, null, Instant.now());
            System.out.println("backups=" + catalog.backups(null).size());
        }
    }
}
