package io.lifeboat.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.domain.alerting.Notice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoticeCodecTest {

    @Test
    void aNoticeSurvivesTheQueue() {
        Notice n = Notices.firing("phone", "abc", "critical");
        assertThat(NoticeCodec.read(NoticeCodec.text(n))).isEqualTo(n);
        Notice r = Notices.resolved("phone", "def");
        assertThat(NoticeCodec.read(NoticeCodec.text(r))).isEqualTo(r);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "[]",
                "null",
                "{\"id\":\"x\"}",
                "{\"id\":\"x\",\"receiver\":\"p\",\"groupKey\":\"g\",\"kind\":\"EXPLODE\",\"severity\":\"info\",\"at\":\"2026-11-24T00:00:00Z\"}",
                "{\"id\":\"x\",\"receiver\":\"p\",\"groupKey\":\"g\",\"kind\":\"FIRING\",\"severity\":\"info\",\"at\":\"yesterday\"}",
                "{\"id\":\"x\",\"receiver\":\"p\",\"groupKey\":\"g\",\"kind\":\"FIRING\",\"severity\":\"info\",\"at\":\"2026-11-24T00:00:00Z\",\"alerts\":[{\"fingerprint\":\"f\"}]}"
            })
    void aDamagedEntryIsAClearError(String text) {
        assertThatThrownBy(() -> NoticeCodec.read(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
