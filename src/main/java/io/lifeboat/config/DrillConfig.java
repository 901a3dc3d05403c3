package io.lifeboat.config;

import io.lifeboat.domain.Validation;
import java.time.Duration;
import java.util.List;

/**
 * A target's {@code drill}: when to run a restore drill (Quartz cron, null for on demand only), the
 * recovery time objective a drill must meet (null: none), and the checks the restored copy must pass.
 */
public record DrillConfig(String schedule, Duration rto, List<Validation> validate) {
    public DrillConfig {
        validate = validate == null ? List.of() : List.copyOf(validate);
    }
}
