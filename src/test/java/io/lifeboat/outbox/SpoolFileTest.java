package io.lifeboat.outbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's record format: round trip, a torn tail after a crash, a damaged record. */
class SpoolFileTest {

    @TempDir
    Path dir;

    private final Sequencer seq = new Sequencer();

    private List<OutboxMessage> messages(int n) {
        List<OutboxMessage> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(OutboxMessage.create("events", ("{\"n\":" + i + "}").getBytes(UTF_8), i % 2 == 0, seq));
        }
        return list;
    }

    private Path write(List<OutboxMessage> list) throws Exception {
        Path file = dir.resolve("a.spool");
        try (SpoolFile.Writer w = new SpoolFile.Writer(file)) {
            for (OutboxMessage m : list) {
                w.append(m);
            }
        }
        return file;
    }

    private static List<OutboxMessage> readAll(SpoolFile.Reader r) throws Exception {
        List<OutboxMessage> out = new ArrayList<>();
        OutboxMessage m;
        while ((m = r.next()) != null) {
            out.add(m);
        }
        return out;
    }

    @Test
    void recordsComeBackInOrderWithIdSeqTopicFlagAndBytes() throws Exception {
        List<OutboxMessage> written = messages(50);
        written.add(OutboxMessage.create("dlq", new byte[] {(byte) 0xff, 0, (byte) 0xc3}, false, seq));
        written.add(OutboxMessage.create("backup/ä/state", new byte[0], true, seq));
        try (SpoolFile.Reader r = new SpoolFile.Reader(write(written))) {
            List<OutboxMessage> read = readAll(r);
            assertThat(r.problem()).isNull();
            assertThat(read).hasSize(written.size());
            for (int i = 0; i < written.size(); i++) {
                OutboxMessage a = written.get(i);
                OutboxMessage b = read.get(i);
                assertThat(b.id()).isEqualTo(a.id());
                assertThat(b.seq()).isEqualTo(a.seq());
                assertThat(b.topic()).isEqualTo(a.topic());
                assertThat(b.retained()).isEqualTo(a.retained());
                assertThat(b.createdAt()).isEqualTo(a.createdAt());
                assertThat(b.payload()).isEqualTo(a.payload());
            }
        }
    }

    @Test
    void aTornLastRecordIsSkippedAndReported() throws Exception {
        Path file = write(messages(10));
        long size = Files.size(file);
        for (int cut : new int[] {1, 3, 5, 9, 20}) {
            Path torn = dir.resolve("torn-" + cut + ".spool");
            Files.copy(file, torn);
            try (RandomAccessFile raf = new RandomAccessFile(torn.toFile(), "rw")) {
                raf.setLength(size - cut);
            }
            try (SpoolFile.Reader r = new SpoolFile.Reader(torn)) {
                assertThat(readAll(r)).as("cut " + cut).hasSize(9);
                assertThat(r.problem()).as("cut " + cut).contains("torn record after 9");
            }
        }
    }

    @Test
    void aFlippedByteIsACrcMismatchAndNothingAfterItIsTrusted() throws Exception {
        Path file = write(messages(10));
        byte[] bytes = Files.readAllBytes(file);
        int recordLength = SpoolFile.encode(messages(1).get(0)).length;
        int inFourth = SpoolFile.MAGIC.length + 3 * recordLength + recordLength - 2; // a payload byte
        bytes[inFourth] ^= 0x01;
        Files.write(file, bytes);
        try (SpoolFile.Reader r = new SpoolFile.Reader(file)) {
            assertThat(readAll(r)).hasSize(3);
            assertThat(r.problem()).contains("CRC mismatch in record 4");
        }
    }

    @Test
    void garbageLengthAndForeignFilesAreRefusedNotCrashed() throws Exception {
        Path file = write(messages(2));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length());
            raf.writeInt(Integer.MAX_VALUE); // an impossible length
            raf.writeInt(0);
        }
        try (SpoolFile.Reader r = new SpoolFile.Reader(file)) {
            assertThat(readAll(r)).hasSize(2);
            assertThat(r.problem()).contains("impossible length");
        }
        Path foreign = dir.resolve("x.spool");
        Files.writeString(foreign, "hello, this is not a spool file");
        try (SpoolFile.Reader r = new SpoolFile.Reader(foreign)) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.problem()).contains("bad header");
        }
        Path empty = Files.createFile(dir.resolve("empty.spool"));
        try (SpoolFile.Reader r = new SpoolFile.Reader(empty)) {
            assertThat(readAll(r)).isEmpty();
            assertThat(r.problem()).isNull();
        }
    }

    @Test
    void eachProcessWritesItsOwnFileAndSealsIt() throws Exception {
        Spool spool = new Spool(dir.resolve("outbox"));
        spool.append(messages(3));
        assertThat(spool.any()).isTrue();
        assertThat(spool.sealed())
                .as("the open file of a living process is not replayed")
                .isEmpty();
        spool.seal();
        List<Path> sealed = spool.sealed();
        assertThat(sealed).hasSize(1);
        assertThat(sealed.get(0).getFileName().toString())
                .contains("-" + ProcessHandle.current().pid() + "-")
                .endsWith(".spool");
        // a file left open by a process that is gone is adopted
        Files.writeString(dir.resolve("outbox/0000000000001-999999999-0000.open"), "");
        assertThat(spool.sealed()).hasSize(2);
    }
}
