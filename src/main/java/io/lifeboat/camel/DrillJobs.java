package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Trigger;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.DrillService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bean the drill routes call: runs one restore drill and answers how it went. */
public final class DrillJobs {

    private static final Logger LOG = LoggerFactory.getLogger(DrillJobs.class);

    private final DrillService service;

    public DrillJobs(DrillService service) {
        this.service = requireNonNull(service, "service");
    }

    /**
     * Runs one drill. A failed drill is already recorded, reported and alerted by the service, so it does
     * not fail the exchange: the answer says what happened ({@code OK …}, {@code SLOW …}, {@code FAILED: …}).
     */
    public String run(String target, String trigger, String reason) {
        DrillService.Outcome o =
                service.drill(target, new Trigger(trigger == null ? "manual" : trigger, reason), new Progress());
        String answer = o.ok()
                ? o.verdict() + " " + o.report().backupId() + " RTO "
                        + DrillService.formatRto(o.report().rto())
                : "FAILED: " + o.report().error();
        if (!o.ok()) {
            LOG.warn("drill of {} failed: {}", target, o.report().error());
        }
        return answer;
    }
}
