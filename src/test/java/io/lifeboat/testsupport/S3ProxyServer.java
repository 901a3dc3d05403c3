package io.lifeboat.testsupport;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3 API server (s3proxy over a folder) as a child process on a loopback port, for
 * integration tests. {@link #launch()} starts one; {@link #stop()} kills it (an outage), {@link #start()} brings it back on the
 * same port and folder. Its output goes to {@code target/s3proxy-runs/<id>/s3proxy.log}; its data
 * folder is deleted on {@link #close()}. A JVM shutdown hook kills it if a test forgets to close.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.launch()) {
 *     BackupStore store = Stores.open(s3.storeConfig("lifeboat"));
 * }
 * }</pre>
 */
public final class S3ProxyServer implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path jar;
    private final Path runDir;
    private final Path dataDir;
    private final Path log;
    private final Path properties;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Thread shutdownHook;
    private Process process;

    private S3ProxyServer(Path jar, Path runDir, int port) {
        this.jar = jar;
        this.runDir = runDir;
        this.dataDir = runDir.resolve("data");
        this.log = runDir.resolve("s3proxy.log");
        this.properties = runDir.resolve("s3proxy.properties");
        this.port = port;
        this.accessKey = "test-" + UUID.randomUUID().toString().substring(0, 8);
        this.secretKey = UUID.randomUUID().toString();
        this.shutdownHook = new Thread(this::kill, "s3proxy-shutdown");
    }

    /** Starts a fresh server on a free loopback port with an empty data folder. */
    public static S3ProxyServer launch() {
        Path jar = locateJar();
        Path target = jar.toAbsolutePath().getParent().getParent();
        try {
            Path runs = Files.createDirectories(target.resolve("s3proxy-runs"));
            Path runDir = Files.createTempDirectory(runs, "run-");
            S3ProxyServer server = new S3ProxyServer(jar, runDir, freePort());
            Files.createDirectories(server.dataDir);
            server.writeProperties();
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare s3proxy under " + target, e);
        }
    }

    /** Starts the server again after {@link #stop()}, on the same port and folder; no-op if running. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(
                            javaCommand(), "-Xmx512m", "-jar", jar.toString(), "--properties", properties.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy from " + jar, e);
        }
        awaitReady();
    }

    /** Kills the server at once, as an outage would; the data folder stays. */
    public synchronized void stop() {
        kill();
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The folder the server keeps buckets in (one sub-folder per bucket). */
    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return log;
    }

    /** A {@code type: s3} store config for {@code bucket} on this server. */
    public StoreConfig storeConfig(String bucket) {
        requireNonNull(bucket, "bucket");
        return new StoreConfig("s3", endpoint(), bucket, null, accessKey, secretKey, null);
    }

    @Override
    public synchronized void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
        deleteTree(dataDir);
    }

    @Override
    public String toString() {
        return "s3proxy " + endpoint() + " (log " + log + ")";
    }

    private void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("s3proxy (pid " + p.pid() + ") did not die within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "s3proxy exited with " + process.exitValue() + " before serving; log:\n" + tail());
            }
            if (answersHttp()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new IllegalStateException("interrupted while waiting for s3proxy", e);
            }
        }
        kill();
        throw new IllegalStateException(
                "s3proxy did not answer on " + endpoint() + " within " + STARTUP + "; log:\n" + tail());
    }

    private boolean answersHttp() {
        try {
            HttpURLConnection connection =
                    (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() > 0; // any answer, even 403, means it serves
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private void writeProperties() throws IOException {
        String text = String.join(
                "\n",
                List.of(
                        "s3proxy.endpoint=" + endpoint(),
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + accessKey,
                        "s3proxy.credential=" + secretKey,
                        "jclouds.provider=filesystem-nio2",
                        "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
                        ""));
        Files.writeString(properties, text, StandardCharsets.UTF_8);
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static Path locateJar() {
        String property = System.getProperty("s3proxy.jar");
        Path jar = property != null ? Paths.get(property) : Paths.get("target", "s3proxy", "s3proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("s3proxy jar not found at " + jar.toAbsolutePath()
                    + "; run the tests through Maven (mvn verify copies it at process-test-resources)");
        }
        return jar;
    }

    private static String javaCommand() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // leave what cannot be deleted; it is under target/
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
