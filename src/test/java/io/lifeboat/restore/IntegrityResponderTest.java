package io.lifeboat.restore;

import static io.lifeboat.restore.IntegrityResponder.Decision.ALERT_AUTO_RESTORE_OFF;
import static io.lifeboat.restore.IntegrityResponder.Decision.ALERT_SAFE_MODE;
import static io.lifeboat.restore.IntegrityResponder.Decision.NOT_A_TARGET;
import static io.lifeboat.restore.IntegrityResponder.Decision.RESTORE;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.TargetKind;
import org.junit.jupiter.api.Test;

class IntegrityResponderTest {

    private static TargetConfig db(boolean autoRestore) {
        return new TargetConfig(
                "app-db",
                TargetKind.POSTGRES,
                "0 0 2 * * ?",
                null,
                "127.0.0.1",
                5432,
                "app",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                autoRestore,
                null);
    }

    @Test
    void restoresOnlyATargetThatAllowsItWhileSafeModeIsOff() {
        assertThat(IntegrityResponder.decide(db(true), false)).isEqualTo(RESTORE);
        assertThat(IntegrityResponder.decide(db(true), true)).isEqualTo(ALERT_SAFE_MODE);
        assertThat(IntegrityResponder.decide(db(false), false)).isEqualTo(ALERT_AUTO_RESTORE_OFF);
        assertThat(IntegrityResponder.decide(db(false), true)).isEqualTo(ALERT_AUTO_RESTORE_OFF);
        assertThat(IntegrityResponder.decide(null, false)).isEqualTo(NOT_A_TARGET);
    }
}
