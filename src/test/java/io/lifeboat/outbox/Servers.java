package io.lifeboat.outbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Our own Mosquitto and redis-server for outage tests: fixed free loopback ports so they can be stopped
 * and started again on the same address. Mosquitto keeps its persistence (queued messages of persistent
 * sessions) across a stop; Redis starts empty each time (a lost Redis, the worst case for the outbox).
 */
public final class Servers {

    private Servers() {}

    /** A process on a port that can be stopped and started again. */
    public abstract static class Server implements AutoCloseable {
        final Path dir;
        final int port;
        Process process;

        Server(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.port = freePort();
        }

        abstract List<String> command() throws IOException;

        public int port() {
            return port;
        }

        public synchronized Server start() throws IOException, InterruptedException {
            process = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve(getClass().getSimpleName() + ".log").toFile()))
                    .start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return this;
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        throw new IOException(command() + " ended: "
                                + Files.readString(dir.resolve(getClass().getSimpleName() + ".log")));
                    }
                    Thread.sleep(50);
                }
            }
            throw new IOException(command() + " did not listen on " + port);
        }

        /** SIGTERM (Mosquitto saves its persistence), waits for the end. */
        public synchronized void stop() throws InterruptedException {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                process = null;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    public static final class Mosquitto extends Server {
        public Mosquitto(Path dir) throws IOException {
            super(dir);
            Files.createDirectories(dir.resolve("data"));
            // started as root, mosquitto would switch to the user 'mosquitto' and could not save in our temp dir
            Files.writeString(dir.resolve("mosquitto.conf"), """
                    listener %d 127.0.0.1
                    allow_anonymous true
                    persistence true
                    persistence_location %s/
                    max_queued_messages 0
                    user %s
                    """.formatted(
                            port, dir.resolve("data"), System.getProperty("user.name")));
        }

        @Override
        List<String> command() {
            return List.of("mosquitto", "-c", dir.resolve("mosquitto.conf").toString());
        }

        public String url() {
            return "tcp://127.0.0.1:" + port;
        }
    }

    public static final class Redis extends Server {
        public Redis(Path dir) throws IOException {
            super(dir);
        }

        @Override
        List<String> command() {
            return List.of(
                    "redis-server",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    dir.toString(),
                    "--save",
                    "",
                    "--appendonly",
                    "no");
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
