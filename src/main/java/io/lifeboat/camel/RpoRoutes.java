package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.BackupRow;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.RpoWatch;
import io.lifeboat.pipeline.BackupService;
import java.time.Clock;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;

/**
 * Route {@code rpo-check}: every {@code alerting.rpoCheck} (default 30 s) the RPO dead man's switch
 * looks at every target's newest verified backup in the catalog; a breach raises {@code RpoBreached}
 * (critical) once, the next verified backup resolves it, and the target's retained state is published
 * again so {@code rpoState} (and Home Assistant's problem sensor) follows.
 */
public final class RpoRoutes extends RouteBuilder {

    private final LifeboatConfig config;
    private final Catalog catalog;
    private final BackupService service;
    private final RpoWatch watch;
    private final Clock clock;

    public RpoRoutes(LifeboatConfig config, Catalog catalog, BackupService service, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.catalog = requireNonNull(catalog, "catalog");
        this.service = requireNonNull(service, "service");
        this.clock = requireNonNull(clock, "clock");
        this.watch = new RpoWatch(clock.instant());
    }

    @Override
    public void configure() {
        from("timer:rpo-check?delay=5000&period=" + config.alerting().rpoCheck().toMillis())
                .routeId("rpo-check")
                .process(e -> check());
    }

    void check() {
        List<RpoWatch.Target> targets = config.targets().values().stream()
                .map(t -> new RpoWatch.Target(
                        t.name(), t.rpo(), catalog.latestVerified(t.name()).map(BackupRow::finishedAt)))
                .toList();
        for (Alert a : watch.check(targets, clock.instant())) {
            service.events().alert(a);
            service.publishState(a.labels().get("target"));
        }
    }
}
