package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.OffsiteLag;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.OffsiteCopier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bean route {@code offsite-lag-check} calls: alerts when a target's off-site copies lag past its RPO. */
public final class OffsiteJobs {

    private static final Logger LOG = LoggerFactory.getLogger(OffsiteJobs.class);

    private final BackupService service;

    public OffsiteJobs(BackupService service) {
        this.service = requireNonNull(service, "service");
    }

    /** Checks every target's off-site lag (alerting on changes) and says what it found; never throws. */
    public String checkLag() {
        if (service.offsite().isEmpty()) {
            return "no off-site store configured";
        }
        try {
            OffsiteCopier.LagReport report = service.offsite().get().checkLag();
            String lagging = report.targets().stream()
                    .filter(OffsiteLag::lagging)
                    .map(OffsiteLag::target)
                    .collect(Collectors.joining(", "));
            return (lagging.isEmpty() ? "no target lags off-site" : "lagging off-site: " + lagging)
                    + (report.unreachable() == null
                            ? ""
                            : " (off-site store unreachable: " + report.unreachable() + ")");
        } catch (RuntimeException e) {
            LOG.warn("off-site lag check failed: {}", e.getMessage());
            return "off-site lag check failed: " + e.getMessage();
        }
    }
}
