package io.lifeboat.restore;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client for the scratch redis-server a restore starts on loopback (no password, no
 * TLS): enough for PING, INFO, SCAN, CONFIG GET and SHUTDOWN. Replies: String (simple), byte[] (bulk,
 * null when absent), Long, List; an error reply throws {@link Error}. Bulk replies larger than 512 MiB
 * and arrays over a million items are refused as malformed.
 */
final class Resp implements AutoCloseable {

    private static final int MAX_BULK = 512 << 20;
    private static final int MAX_ITEMS = 1_000_000;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private Resp(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream());
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    static Resp connect(int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            return new Resp(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** An error reply from the server (e.g. {@code LOADING Redis is loading the dataset in memory}). */
    static final class Error extends IOException {
        Error(String message) {
            super(message);
        }
    }

    Object call(String... args) throws IOException {
        out.write(("*" + args.length + "\r\n").getBytes(UTF_8));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(UTF_8);
            out.write(("$" + bytes.length + "\r\n").getBytes(UTF_8));
            out.write(bytes);
            out.write("\r\n".getBytes(UTF_8));
        }
        out.flush();
        return reply();
    }

    /** A reply as text (simple or bulk string). */
    String text(String... args) throws IOException {
        Object r = call(args);
        return r instanceof byte[] b ? new String(b, UTF_8) : String.valueOf(r);
    }

    private Object reply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by redis-server");
        }
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new Error(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                if (length > MAX_BULK) {
                    throw new IOException("redis-server sent a " + length + "-byte reply, over the limit");
                }
                byte[] bytes = in.readNBytes(length);
                in.readNBytes(2);
                return bytes;
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                if (count > MAX_ITEMS) {
                    throw new IOException("redis-server sent an array of " + count + " items, over the limit");
                }
                List<Object> items = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) {
                    items.add(reply());
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + type + " from redis-server");
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed by redis-server");
            }
            if (bytes.size() > 64 * 1024) {
                throw new IOException("redis-server sent a line over 64 KiB");
            }
            bytes.write(c);
        }
        in.read(); // '\n'
        return bytes.toString(UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
