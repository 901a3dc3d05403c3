package io.lifeboat.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away {@code redis-server} on a free loopback port, with a temporary folder as its
 * {@code --dir}, no persistence of its own, and a tiny RESP client for tests.
 *
 * <pre>{@code
 * try (ScratchRedis redis = ScratchRedis.start()) {
 *     redis.call("SET", "k", "v");
 *     byte[] value = (byte[]) redis.call("GET", "k");
 * }
 * }</pre>
 */
public final class ScratchRedis implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final Path dir;
    private final String password;

    private ScratchRedis(Process process, int port, Path dir, String password) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.password = password;
    }

    /**
     * An empty server. Extra arguments go to redis-server, e.g. {@code "--repl-diskless-sync", "no"};
     * with {@code "--requirepass", PASSWORD} every {@link #call} authenticates first.
     */
    public static ScratchRedis start(String... extraArgs) throws IOException {
        return start(null, extraArgs);
    }

    /** A server that loads {@code rdbFile} at startup (copied into its folder as dump.rdb). */
    public static ScratchRedis startWith(Path rdbFile, String... extraArgs) throws IOException {
        return start(requireNonNull(rdbFile, "rdbFile"), extraArgs);
    }

    private static ScratchRedis start(Path rdbFile, String... extraArgs) throws IOException {
        Path dir = Files.createTempDirectory("scratch-redis");
        if (rdbFile != null) {
            Files.copy(rdbFile, dir.resolve("dump.rdb"));
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no"));
        command.addAll(List.of(extraArgs));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        int passwordAt = command.indexOf("--requirepass") + 1;
        String password = passwordAt > 0 && passwordAt < command.size() ? command.get(passwordAt) : null;
        ScratchRedis redis = new ScratchRedis(process, port, dir, password);
        Instant deadline = Instant.now().plus(STARTUP);
        while (true) {
            try {
                if ("PONG".equals(redis.call("PING"))) {
                    return redis;
                }
            } catch (IOException notYet) {
                // still starting, or loading the RDB
            }
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                String log = Files.readString(dir.resolve("redis.log"));
                redis.close();
                throw new IOException("redis-server did not answer PING on port " + port + ":\n" + log);
            }
            sleep(50);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The server's folder (its --dir). */
    public Path dir() {
        return dir;
    }

    /**
     * Sends one command on a fresh connection. Arguments are {@code String} (UTF-8) or {@code byte[]}.
     * Returns a String for simple replies, byte[] for bulk strings (null when absent), Long for
     * integers, List for arrays; an error reply throws IOException.
     */
    public Object call(Object... args) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            if (password != null) {
                encode(request, "AUTH", password);
            }
            encode(request, args);
            out.write(request.toByteArray());
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (password != null) {
                reply(in);
            }
            return reply(in);
        }
    }

    private static void encode(ByteArrayOutputStream request, Object... args) {
        request.writeBytes(("*" + args.length + "\r\n").getBytes(UTF_8));
        for (Object arg : args) {
            byte[] bytes = arg instanceof byte[] b ? b : arg.toString().getBytes(UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(UTF_8));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(UTF_8));
        }
    }

    /** A bulk-string reply as UTF-8 text, or null. */
    public String get(String key) throws IOException {
        byte[] value = (byte[]) call("GET", key);
        return value == null ? null : new String(value, UTF_8);
    }

    private static Object reply(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
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
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected reply type " + type + " from redis");
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed by redis");
            }
            bytes.write(c);
        }
        in.read(); // '\n'
        return bytes.toString(UTF_8);
    }

    /** Stops the server and deletes its folder. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A loopback port nothing listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for redis-server", e);
        }
    }

    @Override
    public String toString() {
        return "ScratchRedis[" + port + "]";
    }
}
