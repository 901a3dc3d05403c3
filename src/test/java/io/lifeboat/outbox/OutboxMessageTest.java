package io.lifeboat.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OutboxMessageTest {

    @Test
    void everyMessageGetsItsOwnIdInUuidFormAndAHigherSequence() {
        Sequencer sequencer = new Sequencer();
        Set<String> ids = new HashSet<>();
        long lastSeq = Long.MIN_VALUE;
        for (int i = 0; i < 100_000; i++) {
            OutboxMessage m = OutboxMessage.create("events", new byte[] {1}, false, sequencer);
            assertThat(ids.add(m.id())).as("id %s given twice", m.id()).isTrue();
            assertThat(UUID.fromString(m.id()).toString()).isEqualTo(m.id());
            assertThat(m.seq()).isGreaterThan(lastSeq);
            lastSeq = m.seq();
        }
    }

    @Test
    void anEmptyIdIsRefused() {
        assertThatThrownBy(() -> new OutboxMessage("", 1, "events", false, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
