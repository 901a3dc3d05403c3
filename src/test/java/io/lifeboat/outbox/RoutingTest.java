package io.lifeboat.outbox;

import static io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy.BLOCK;
import static io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy.SPILL;
import static io.lifeboat.outbox.Routing.Destination.LIVE;
import static io.lifeboat.outbox.Routing.Destination.REDIS;
import static io.lifeboat.outbox.Routing.Destination.SPOOL;
import static io.lifeboat.outbox.Routing.Destination.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ordering rules of the outbox, without a broker or Redis. */
class RoutingTest {

    @Test
    void liveOnlyWhenConnectedAndNothingOlderWaits() {
        assertThat(Routing.destination(true, false, true, true, false, SPILL)).isEqualTo(LIVE);
        assertThat(Routing.destination(true, true, true, true, false, SPILL))
                .as("a backlog exists: never overtake it")
                .isEqualTo(REDIS);
        assertThat(Routing.destination(false, false, true, true, false, SPILL)).isEqualTo(REDIS);
        assertThat(Routing.destination(true, false, false, false, false, SPILL)).isEqualTo(LIVE);
    }

    @Test
    void redisDownOrAbsentSpools() {
        assertThat(Routing.destination(false, false, true, false, false, SPILL)).isEqualTo(SPOOL);
        assertThat(Routing.destination(false, true, false, false, false, BLOCK)).isEqualTo(SPOOL);
        assertThat(Routing.destination(true, true, true, false, true, BLOCK))
                .as("Redis down is not Redis full: spool even with block")
                .isEqualTo(SPOOL);
    }

    @Test
    void aFullStreamSpillsOrBlocksAsConfigured() {
        assertThat(Routing.destination(false, true, true, true, true, SPILL)).isEqualTo(SPOOL);
        assertThat(Routing.destination(false, true, true, true, true, BLOCK)).isEqualTo(WAIT);
        assertThat(Routing.full(99, 100)).isFalse();
        assertThat(Routing.full(100, 100)).isTrue();
    }

    @Test
    void nearlyFullAtEightyPercent() {
        assertThat(Routing.nearlyFull(79, 100)).isFalse();
        assertThat(Routing.nearlyFull(80, 100)).isTrue();
        assertThat(Routing.nearlyFull(799_999, 1_000_000)).isFalse();
        assertThat(Routing.nearlyFull(800_000, 1_000_000)).isTrue();
    }

    @Test
    void replayTakesTheOlderHeadOfSpoolAndStream() {
        assertThat(Routing.older(null, null)).isEqualTo(Routing.Next.NONE);
        assertThat(Routing.older(5L, null)).isEqualTo(Routing.Next.SPOOL);
        assertThat(Routing.older(null, 5L)).isEqualTo(Routing.Next.REDIS);
        assertThat(Routing.older(4L, 5L)).as("spool holds the oldest: first").isEqualTo(Routing.Next.SPOOL);
        assertThat(Routing.older(6L, 5L))
                .as("Redis went down mid-partition: its older entries first")
                .isEqualTo(Routing.Next.REDIS);
    }

    @Test
    void sequenceNumbersStrictlyIncreaseEvenWhenTheClockStallsOrStepsBack() {
        Sequencer s = new Sequencer();
        long a = s.next(1000);
        long b = s.next(1000);
        long c = s.next(900);
        long d = s.next(2000);
        assertThat(a).isEqualTo(1_000_000);
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
        assertThat(d).isEqualTo(2_000_000);
    }

    @Test
    void aMessageKeepsItsIdAndRefusesNonsense() {
        Sequencer s = new Sequencer();
        OutboxMessage m = OutboxMessage.create("events", new byte[] {1}, false, s);
        assertThat(m.id()).hasSize(36);
        assertThat(OutboxMessage.create("events", new byte[] {1}, false, s).id())
                .isNotEqualTo(m.id());
        assertThatThrownBy(() -> new OutboxMessage("", 1, "events", false, new byte[0], 0))
                .hasMessageContaining("id");
        assertThatThrownBy(() -> new OutboxMessage("x", 1, null, false, new byte[0], 0))
                .hasMessageContaining("topic");
    }

    @Test
    void streamFieldsRoundTripTextAndBinaryPayloads() {
        Sequencer s = new Sequencer();
        OutboxMessage text =
                OutboxMessage.create("events", "{\"ä\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), true, s);
        OutboxMessage binary = OutboxMessage.create("dlq", new byte[] {(byte) 0xff, (byte) 0xfe}, false, s);
        for (OutboxMessage m : new OutboxMessage[] {text, binary}) {
            Map<String, String> f = RedisBacklog.fields(m);
            OutboxMessage back = RedisBacklog.message("1-0", f);
            assertThat(back.id()).isEqualTo(m.id());
            assertThat(back.seq()).isEqualTo(m.seq());
            assertThat(back.payload()).isEqualTo(m.payload());
            assertThat(back.retained()).isEqualTo(m.retained());
            assertThat(back.topic()).isEqualTo(m.topic());
        }
        assertThat(RedisBacklog.fields(text)).containsKey("payload");
        assertThat(RedisBacklog.fields(binary)).containsKey("payloadBase64").doesNotContainKey("payload");
        // an entry added by hand (redis-cli XADD) without our fields is still published, not lost
        Map<String, String> byHand = new HashMap<>(Map.of("topic", "events", "payload", "hi"));
        OutboxMessage m = RedisBacklog.message("1700000000000-0", byHand);
        assertThat(m.id()).isEqualTo("redis-1700000000000-0");
        assertThat(m.seq()).isEqualTo(1_700_000_000_000_000L);
    }
}
