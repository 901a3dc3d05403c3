package io.lifeboat.outbox;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The local spool's file format: an 8-byte header {@code LBSPOOL1}, then records, each
 *
 * <pre>
 *   int32 length of body | int32 CRC-32 of body | body
 *   body = int64 seq | int64 createdAt | byte retained | UTF id | UTF topic | int32 n | n payload bytes
 * </pre>
 *
 * (big-endian, {@link DataOutputStream} encoding). A crash can leave a torn last record; the reader stops
 * there and says so ({@link Reader#problem()}) instead of inventing a message. A record whose CRC does not
 * match stops the reader too: what follows cannot be trusted to be aligned.
 */
public final class SpoolFile {

    static final byte[] MAGIC = {'L', 'B', 'S', 'P', 'O', 'O', 'L', '1'};
    /** Larger than any message Lifeboat publishes; a bigger length field means a corrupt record. */
    static final int MAX_RECORD = 64 * 1024 * 1024;

    private SpoolFile() {}

    /** One record: length, CRC and body. */
    static byte[] encode(OutboxMessage m) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream(64 + m.payload().length);
            DataOutputStream out = new DataOutputStream(body);
            out.writeLong(m.seq());
            out.writeLong(m.createdAt());
            out.writeBoolean(m.retained());
            out.writeUTF(m.id());
            out.writeUTF(m.topic());
            out.writeInt(m.payload().length);
            out.write(m.payload());
            out.flush();
            byte[] b = body.toByteArray();
            CRC32 crc = new CRC32();
            crc.update(b);
            ByteArrayOutputStream record = new ByteArrayOutputStream(b.length + 8);
            DataOutputStream r = new DataOutputStream(record);
            r.writeInt(b.length);
            r.writeInt((int) crc.getValue());
            r.write(b);
            r.flush();
            return record.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory encoding failed", e);
        }
    }

    static OutboxMessage decodeBody(byte[] body) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        long seq = in.readLong();
        long createdAt = in.readLong();
        boolean retained = in.readBoolean();
        String id = in.readUTF();
        String topic = in.readUTF();
        int n = in.readInt();
        if (n < 0 || n > body.length) {
            throw new IOException("payload length " + n + " out of range");
        }
        byte[] payload = in.readNBytes(n);
        if (payload.length != n || in.available() != 0) {
            throw new IOException("record body does not add up");
        }
        return new OutboxMessage(id, seq, topic, retained, payload, createdAt);
    }

    /** Appends records to a new file (or one that has the header already). Not thread-safe. */
    public static final class Writer implements Closeable {
        private final Path path;
        private final OutputStream out;
        private long records;

        public Writer(Path path) throws IOException {
            this.path = path;
            boolean fresh = !Files.exists(path) || Files.size(path) == 0;
            this.out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (fresh) {
                out.write(MAGIC);
                out.flush();
            }
        }

        /** Writes the record and hands it to the operating system (survives a crash of this process). */
        public void append(OutboxMessage m) throws IOException {
            out.write(encode(m));
            out.flush();
            records++;
        }

        public long records() {
            return records;
        }

        public Path path() {
            return path;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Reads records in order; {@link #next()} is null at the end or at the first damaged record. */
    public static final class Reader implements Closeable {
        private final Path path;
        private final DataInputStream in;
        private String problem;
        private long records;
        private boolean done;

        public Reader(Path path) throws IOException {
            this.path = path;
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 64 * 1024));
            byte[] header = in.readNBytes(MAGIC.length);
            if (header.length == 0) {
                done = true; // created, nothing written yet
            } else if (!Arrays.equals(header, MAGIC)) {
                done = true;
                problem = "not a Lifeboat spool file (bad header)";
            }
        }

        public OutboxMessage next() throws IOException {
            if (done) {
                return null;
            }
            byte[] head = in.readNBytes(4);
            if (head.length == 0) {
                done = true; // a clean end (so far: a writer may still append)
                return null;
            }
            if (head.length < 4) {
                return stop("torn record after " + records + " record(s): the writer stopped mid-record");
            }
            int length =
                    ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            if (length < 0 || length > MAX_RECORD) {
                return stop("record " + (records + 1) + " has an impossible length " + length);
            }
            int crc;
            byte[] body;
            try {
                crc = in.readInt();
                body = in.readNBytes(length);
            } catch (EOFException torn) {
                return stop("torn record after " + records + " record(s): the writer stopped mid-record");
            }
            if (body.length < length) {
                return stop("torn record after " + records + " record(s): the writer stopped mid-record");
            }
            CRC32 c = new CRC32();
            c.update(body);
            if ((int) c.getValue() != crc) {
                return stop("CRC mismatch in record " + (records + 1) + ": the file is damaged from here on");
            }
            try {
                OutboxMessage m = decodeBody(body);
                records++;
                return m;
            } catch (IOException | RuntimeException e) {
                return stop("record " + (records + 1) + " cannot be decoded: " + e.getMessage());
            }
        }

        private OutboxMessage stop(String why) {
            done = true;
            problem = why;
            return null;
        }

        /** Why reading stopped early, or null when the file ended cleanly (so far). */
        public String problem() {
            return problem;
        }

        public long records() {
            return records;
        }

        public Path path() {
            return path;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
