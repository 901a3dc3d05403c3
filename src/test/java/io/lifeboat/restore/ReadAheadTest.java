package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The read-ahead between the stored object and a restore tool: exact bytes, errors passed on, a clean stop. */
class ReadAheadTest {

    @Test
    void everyByteArrivesInOrder() throws Exception {
        byte[] data = new byte[ReadAhead.CHUNK * 3 + 12345];
        new Random(1).nextBytes(data);
        try (ReadAhead in = new ReadAhead(new ByteArrayInputStream(data), "test")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aReadErrorReachesTheReaderAfterTheBytesBeforeIt() throws Exception {
        InputStream failing = new InputStream() {
            long n;

            @Override
            public int read() throws IOException {
                if (n++ >= ReadAhead.CHUNK + 10) {
                    throw new IOException("Data corruption detected");
                }
                return 7;
            }
        };
        try (ReadAhead in = new ReadAhead(failing, "test")) {
            assertThat(in.readNBytes(ReadAhead.CHUNK)).hasSize(ReadAhead.CHUNK);
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessage("Data corruption detected");
        }
    }

    @Test
    void closingEarlyStopsTheThreadBeforeItReturns() throws Exception {
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served.addAndGet(len);
                return len;
            }
        };
        ReadAhead in = new ReadAhead(endless, "test");
        assertThat(in.readNBytes(10)).hasSize(10);
        in.close();
        long after = served.get();
        Thread.sleep(300);
        assertThat(served.get()).as("nothing is read after close").isEqualTo(after);
        assertThat(after)
                .as("bounded: at most the queue and one chunk in hand")
                .isLessThanOrEqualTo((long) ReadAhead.CHUNK * (ReadAhead.CAPACITY + 2));
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }
}
