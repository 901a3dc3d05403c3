package io.lifeboat.restore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Validation;
import io.lifeboat.source.RedisSource;
import io.lifeboat.source.SourceFailedException;
import io.lifeboat.source.StderrTail;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a Redis RDB back by loading it into a new {@code redis-server} on a free loopback port: the RDB
 * is streamed into {@code dump.rdb} in a scratch folder under {@code dataDir/restores/} (redis-server
 * only loads from a file: the one place a restore stages the artifact on disk), then a server is
 * started there with {@code --dbfilename dump.rdb --save "" --appendonly no --bind 127.0.0.1} and
 * waited for until it has loaded. It runs daemonized, so it outlives the command that started it.
 *
 * <ul>
 *   <li>A drill ({@code scratch}) and a restore that will replace a named instance get a server that
 *       {@link Restored#resource()} and {@link #discard} stop (SHUTDOWN NOSAVE) and delete.
 *   <li>A restore without {@code --into} leaves the server running for the user to look at: {@link
 *       Restored#resource()} is null and the description says how to stop it ({@code redis-cli -p N
 *       shutdown nosave}).
 *   <li>{@link #promote} ({@code --replace --into redis://host:port}) saves the named instance's data to
 *       {@code <target>-pre_restore_<ts>.rdb} beside the scratch folders, makes it a replica of the
 *       scratch server ({@code REPLICAOF 127.0.0.1 N}), waits for the full sync, detaches it
 *       ({@code REPLICAOF NO ONE}) and stops the scratch server. The named instance must reach
 *       127.0.0.1:N, so it must run on this host's network.
 * </ul>
 *
 * The scratch server has no password and listens on 127.0.0.1 only. Passwords of a named instance go to
 * redis-cli in {@code REDISCLI_AUTH}, never on its command line.
 */
public final class RedisRestorer implements Restorer {

    static final String SERVER = "redis-server";
    static final String CLI = "redis-cli";
    /** Marks a folder as a scratch server's, so discard never stops a server it did not start. */
    static final String MARKER = "LIFEBOAT-SCRATCH";

    private static final Pattern LOCATION = Pattern.compile("redis://127\\.0\\.0\\.1:(\\d{1,5})");
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration LOADING = Duration.ofHours(6);
    private static final Duration LINK_UP = Duration.ofSeconds(60);
    private static final Duration SYNC = Duration.ofHours(6);

    private final TargetConfig target;
    private final Path scratchRoot;
    private final Clock clock;

    public RedisRestorer(TargetConfig target, Path scratchRoot) {
        this(target, scratchRoot, Clock.systemUTC());
    }

    RedisRestorer(TargetConfig target, Path scratchRoot, Clock clock) {
        this.target = requireNonNull(target, "target");
        this.scratchRoot =
                requireNonNull(scratchRoot, "scratchRoot").toAbsolutePath().normalize();
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public List<String> plan(RestoreRequest request) {
        try {
            checkInto(request);
        } catch (RestoreFailedException e) {
            return List.of("cannot restore: " + e.getMessage());
        }
        Path dir = scratchRoot.resolve(target.name() + "-<ts>");
        List<String> steps = new ArrayList<>();
        steps.add("stream the RDB of backup " + request.manifest().id() + " ("
                + request.manifest().rawBytes() + " bytes) into " + dir.resolve("dump.rdb"));
        steps.add("start "
                + String.join(
                        " ",
                        serverCommand(dir, 0).stream()
                                .map(a -> a.isEmpty() ? "\"\"" : a.equals("0") ? "<free port>" : a)
                                .toList())
                + " and wait until it has loaded");
        if (replace(request)) {
            RedisSource live = live(request);
            String where = live.host() + ":" + live.port();
            steps.add("after validation: save the data of " + where + " to "
                    + scratchRoot.resolve(target.name() + "-pre_restore_<ts>.rdb") + " (redis-cli --rdb)");
            steps.add("redis-cli " + String.join(" ", live.connectionArguments())
                    + " REPLICAOF 127.0.0.1 <port>; wait for master_link_status:up and the sync to end;"
                    + " then REPLICAOF NO ONE (this replaces every key of " + where + ")");
            steps.add("stop the scratch server (SHUTDOWN NOSAVE) and delete " + dir);
        } else if (request.scratch()) {
            steps.add("after validation: stop the scratch server (SHUTDOWN NOSAVE) and delete " + dir);
        } else {
            steps.add("leave it running; stop it with: redis-cli -p <port> shutdown nosave");
        }
        return steps;
    }

    @Override
    public Restored restore(InputStream raw, RestoreRequest request) throws RestoreFailedException {
        requireNonNull(raw, "raw");
        checkInto(request);
        Path dir = scratchRoot.resolve(ScratchPlaces.uniqueName(target.name(), clock.instant()));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(MARKER), "scratch redis-server of a Lifeboat restore of " + target.name());
        } catch (IOException e) {
            throw new RestoreFailedException("cannot create the scratch folder " + dir + ": " + e, "", e);
        }
        ScratchServer server;
        long bytes;
        try {
            bytes = writeRdb(raw, dir.resolve("dump.rdb"));
            server = ScratchServer.start(dir);
        } catch (RestoreFailedException | RuntimeException e) {
            deleteQuietly(dir);
            throw e;
        }
        boolean keep = !request.scratch() && !replace(request);
        String description = "redis-server on 127.0.0.1:" + server.port + " (pid " + server.pid + "), "
                + server.keys() + " keys loaded from " + bytes + " bytes of RDB, in " + dir
                + (keep
                        ? "; it keeps running: stop it with: redis-cli -p " + server.port + " shutdown nosave && rm -r "
                                + dir
                        : "");
        return new Restored("redis", server.location(), description, keep ? null : server::stop);
    }

    private static long writeRdb(InputStream raw, Path rdb) throws RestoreFailedException {
        long total = 0;
        byte[] head = new byte[5];
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(rdb, StandardOpenOption.CREATE_NEW)) {
            int n;
            while ((n = raw.read(buffer)) >= 0) {
                if (total < head.length) {
                    System.arraycopy(buffer, 0, head, (int) total, (int) Math.min(n, head.length - total));
                }
                out.write(buffer, 0, n);
                total += n;
            }
        } catch (IOException e) {
            throw new RestoreFailedException("could not write the RDB to " + rdb + ": " + e.getMessage(), "", e);
        }
        if (total < head.length || !"REDIS".equals(new String(head, UTF_8))) {
            throw new RestoreFailedException("the backup is not an RDB file (it does not start with 'REDIS'):"
                    + " was it taken from another kind of target?");
        }
        return total;
    }

    /** Counts, for each {@code keys} check, the keys matching its pattern in every database, with SCAN. */
    @Override
    public List<ValidationResult> validate(Restored restored, List<Validation> checks) {
        List<ValidationResult> results = new ArrayList<>();
        for (Validation check : checks) {
            if (check.keys() == null) {
                results.add(new ValidationResult(check, false, null, "this check does not apply to redis (use keys:)"));
                continue;
            }
            try {
                long count = countKeys(port(restored.location()), check.keys());
                boolean ok = check.accepts(count);
                results.add(new ValidationResult(
                        check,
                        ok,
                        count,
                        count + (count == 1 ? " key matches" : " keys match") + (ok ? "" : ", outside the bounds")));
            } catch (IOException | RestoreFailedException e) {
                results.add(new ValidationResult(
                        check, false, null, "could not count keys on " + restored.location() + ": " + e.getMessage()));
            }
        }
        return results;
    }

    static long countKeys(int port, String pattern) throws IOException {
        long count = 0;
        try (Resp r = Resp.connect(port, 30_000)) {
            for (int db : databases(r.text("INFO", "keyspace"))) {
                r.call("SELECT", Integer.toString(db));
                String cursor = "0";
                do {
                    List<?> reply = (List<?>) r.call("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
                    cursor = new String((byte[]) reply.get(0), UTF_8);
                    count += ((List<?>) reply.get(1)).size();
                } while (!"0".equals(cursor));
            }
        }
        return count;
    }

    /** The database numbers {@code INFO keyspace} lists (those holding keys). */
    static List<Integer> databases(String keyspace) {
        List<Integer> dbs = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^db(\\d+):keys=(\\d+)").matcher(keyspace);
        while (m.find()) {
            dbs.add(Integer.parseInt(m.group(1)));
        }
        return dbs;
    }

    static long totalKeys(String keyspace) {
        long total = 0;
        Matcher m = Pattern.compile("(?m)^db\\d+:keys=(\\d+)").matcher(keyspace);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    /**
     * Replaces every key of the instance {@code --into redis://host:port} names with the validated
     * scratch server's data, by replication; see the class comment. The instance's previous data is
     * saved first to an RDB file the description names.
     */
    @Override
    public Restored promote(Restored restored, RestoreRequest request) throws RestoreFailedException {
        if (request.into() == null || request.into().isBlank()) {
            throw new RestoreFailedException("replacing redis data needs --into redis://host:port naming the instance"
                    + " (Lifeboat does not guess which server to overwrite)");
        }
        checkInto(request);
        ScratchServer scratch = ScratchServer.find(restored.location())
                .orElseThrow(() -> new RestoreFailedException(
                        restored.location() + " is not a scratch server of a Lifeboat restore"));
        RedisSource live = live(request);
        String where = live.host() + ":" + live.port();
        if (isLoopback(live.host()) && live.port() == scratch.port) {
            throw new RestoreFailedException("--into names the scratch server itself");
        }
        String role = field(cli(live, "INFO", "replication"), "role");
        if (!"master".equals(role)) {
            throw new RestoreFailedException(
                    where + " is a " + role + ", not a master: replace the data on its master");
        }
        Instant now = clock.instant();
        Path saved = scratchRoot.resolve(target.name() + "-pre_restore_" + ScratchPlaces.stamp(now) + ".rdb");
        try (OutputStream out = Files.newOutputStream(saved, StandardOpenOption.CREATE_NEW)) {
            live.writeTo(out);
        } catch (IOException | SourceFailedException e) {
            deleteQuietly(saved);
            throw new RestoreFailedException(
                    "could not save the current data of " + where + " before replacing it: " + e.getMessage()
                            + "; nothing was replaced",
                    e instanceof SourceFailedException s ? s.stderr() : "",
                    e);
        }
        expectOk(cli(live, "REPLICAOF", "127.0.0.1", Integer.toString(scratch.port)), "REPLICAOF");
        try {
            waitForSync(live, scratch.port, where);
        } catch (RestoreFailedException e) {
            String undo;
            try {
                expectOk(cli(live, "REPLICAOF", "NO", "ONE"), "REPLICAOF NO ONE");
                undo = where + " is a master again";
            } catch (RestoreFailedException e2) {
                undo = "run by hand: redis-cli -h " + live.host() + " -p " + live.port() + " REPLICAOF NO ONE";
            }
            throw new RestoreFailedException(
                    e.getMessage() + "; " + undo + "; its data may be partly replaced: the"
                            + " previous data is saved in " + saved + " (scratch server still at " + restored.location()
                            + ")",
                    e.stderr(),
                    e);
        }
        expectOk(cli(live, "REPLICAOF", "NO", "ONE"), "REPLICAOF NO ONE");
        long keys = totalKeys(cli(live, "INFO", "keyspace"));
        scratch.stop();
        return new Restored(
                "redis",
                "redis://" + where,
                "every key of " + where + " replaced by replication from the restored copy (" + keys
                        + " keys now); the previous data is saved in " + saved
                        + " (load it like any RDB to go back)",
                null);
    }

    private void waitForSync(RedisSource live, int port, String where) throws RestoreFailedException {
        Instant start = Instant.now();
        while (true) {
            String info = cli(live, "INFO", "replication");
            boolean linked = "up".equals(field(info, "master_link_status"));
            boolean syncing = "1".equals(field(info, "master_sync_in_progress"));
            boolean ours = "127.0.0.1".equals(field(info, "master_host"))
                    && Integer.toString(port).equals(field(info, "master_port"));
            if (!ours) {
                throw new RestoreFailedException(
                        where + " stopped replicating from the scratch server: " + info.strip());
            }
            if (linked && !syncing) {
                return;
            }
            Duration waited = Duration.between(start, Instant.now());
            if ((!syncing && waited.compareTo(LINK_UP) > 0) || waited.compareTo(SYNC) > 0) {
                throw new RestoreFailedException(where + " did not finish syncing from 127.0.0.1:" + port + " within "
                        + waited.toSeconds() + " s (can it reach 127.0.0.1:" + port
                        + "? it must run on this host's network)");
            }
            sleep(200);
        }
    }

    /** Stops the scratch server (SHUTDOWN NOSAVE, then a kill if it does not go) and deletes its folder. */
    @Override
    public void discard(Restored restored) throws RestoreFailedException {
        Optional<ScratchServer> server = ScratchServer.find(restored.location());
        if (server.isEmpty()) {
            return; // gone already, or not ours: a live instance is never stopped
        }
        server.get().stop();
        if (server.get().running()) {
            throw new RestoreFailedException("the scratch redis-server (pid " + server.get().pid + ") did not stop");
        }
    }

    // ---- the named instance

    private void checkInto(RestoreRequest request) throws RestoreFailedException {
        String into = request.into();
        if (into == null || into.isBlank()) {
            return;
        }
        if (!into.startsWith("redis://") && !into.startsWith("rediss://")) {
            throw new RestoreFailedException("--into for a redis target is a redis://host:port URL naming the instance"
                    + " whose data to replace, got '" + redacted(into) + "'");
        }
        if (!replace(request)) {
            throw new RestoreFailedException(
                    "--into " + redacted(into) + " names a running instance whose data a"
                            + " restore replaces: add --replace (the backup is loaded and validated in a scratch server first)");
        }
        try {
            live(request);
        } catch (IllegalArgumentException e) {
            throw new RestoreFailedException(e.getMessage());
        }
    }

    /**
     * The instance {@code --into} names. Without credentials in it, those of the target's own URL and
     * password are used when it names the target's host and port, else the target's password.
     */
    private RedisSource live(RestoreRequest request) {
        String into = request.into().trim();
        RedisSource named = new RedisSource(into, null);
        boolean ownCredentials = URI.create(into.replace(" ", "%20")).getRawUserInfo() != null;
        if (ownCredentials) {
            return named;
        }
        if (target.url() != null) {
            RedisSource own = new RedisSource(target.url(), target.password());
            if (own.host().equals(named.host()) && own.port() == named.port()) {
                return own;
            }
        }
        return new RedisSource(into, target.password());
    }

    /** Runs redis-cli against {@code live}; returns its output, failing on a non-zero exit or an error reply. */
    private static String cli(RedisSource live, String... command) throws RestoreFailedException {
        List<String> cmd = new ArrayList<>(List.of(CLI, "-e", "--no-auth-warning"));
        cmd.addAll(live.connectionArguments());
        cmd.addAll(Arrays.asList(command));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(live.environment());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new RestoreFailedException(CLI + " could not be started: " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            StderrTail err = new StderrTail(16 * 1024);
            Thread drainer = new Thread(() -> err.drain(p.getErrorStream()), "redis-cli-stderr");
            drainer.setDaemon(true);
            drainer.start();
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RestoreFailedException(CLI + " " + String.join(" ", command) + " did not answer within 60 s");
            }
            drainer.join(5000);
            String text = new String(out, UTF_8);
            if (p.exitValue() != 0) {
                String why = (text.strip() + " " + err.lastLine()).strip();
                throw new RestoreFailedException(
                        CLI + " " + command[0] + " on " + live.host() + ":" + live.port() + " failed: " + why,
                        err.text(),
                        null);
            }
            return text;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new RestoreFailedException(CLI + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RestoreFailedException(CLI + " was interrupted");
        }
    }

    private static void expectOk(String reply, String what) throws RestoreFailedException {
        if (!reply.strip().startsWith("OK")) {
            throw new RestoreFailedException(what + " answered: " + reply.strip());
        }
    }

    static String field(String info, String name) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(name) + ":(.*?)\\r?$").matcher(info);
        return m.find() ? m.group(1).strip() : null;
    }

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
    }

    private static String redacted(String url) {
        return url.replaceAll("//[^@/]*@", "//***@");
    }

    private static boolean replace(RestoreRequest request) {
        return "true".equals(request.option("replace"));
    }

    private static int port(String location) throws RestoreFailedException {
        Matcher m = LOCATION.matcher(location);
        if (!m.matches()) {
            throw new RestoreFailedException(location + " is not a scratch server (redis://127.0.0.1:PORT)");
        }
        return Integer.parseInt(m.group(1));
    }

    private static void deleteQuietly(Path path) {
        try {
            ScratchPlaces.deleteTree(path);
        } catch (IOException e) {
            // reported by the caller's failure; the folder is under dataDir/restores
        }
    }

    private static void sleep(long millis) throws RestoreFailedException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailedException("interrupted");
        }
    }

    static List<String> serverCommand(Path dir, int port) {
        return List.of(
                SERVER,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--protected-mode",
                "yes",
                "--dir",
                dir.toString(),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--repl-diskless-sync-delay",
                "0",
                "--daemonize",
                "yes",
                "--pidfile",
                dir.resolve("redis.pid").toString(),
                "--logfile",
                dir.resolve("redis.log").toString());
    }

    // ---- the scratch server

    /** A daemonized redis-server a restore started, found again by its port. */
    static final class ScratchServer {
        final int port;
        final long pid;
        final Path dir;

        private ScratchServer(int port, long pid, Path dir) {
            this.port = port;
            this.pid = pid;
            this.dir = dir;
        }

        String location() {
            return "redis://127.0.0.1:" + port;
        }

        static ScratchServer start(Path dir) throws RestoreFailedException {
            RestoreFailedException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                try {
                    return startOn(dir, port);
                } catch (PortTaken e) {
                    last = new RestoreFailedException(e.getMessage()); // another process took the port: try another
                }
            }
            throw last;
        }

        private static ScratchServer startOn(Path dir, int port) throws RestoreFailedException, PortTaken {
            Path log = dir.resolve("redis.log");
            Path pidFile = dir.resolve("redis.pid");
            try {
                Files.deleteIfExists(log);
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                throw new RestoreFailedException("cannot prepare " + dir + ": " + e);
            }
            Process launcher;
            try {
                launcher = new ProcessBuilder(serverCommand(dir, port))
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("launch.log").toFile())
                        .start();
            } catch (IOException e) {
                throw new RestoreFailedException(SERVER + " could not be started (is it installed? the redis-server"
                        + " package): " + e.getMessage());
            }
            Instant startDeadline = Instant.now().plus(STARTUP);
            Instant loadDeadline = Instant.now().plus(LOADING);
            long pid = -1;
            while (true) {
                if (pid < 0) {
                    pid = readPid(pidFile);
                }
                String state = probe(port);
                if ("ready".equals(state) && pid > 0) {
                    return new ScratchServer(port, pid, dir);
                }
                boolean launcherFailed = !launcher.isAlive() && launcher.exitValue() != 0;
                boolean died = pid > 0
                        && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false;
                if (launcherFailed || died) {
                    String text = tail(log) + tail(dir.resolve("launch.log"));
                    if (text.contains("Address already in use")) {
                        throw new PortTaken("port " + port + " was taken");
                    }
                    throw new RestoreFailedException(SERVER + " could not load the RDB: " + lastLine(text), text, null);
                }
                Instant now = Instant.now();
                if ((!"loading".equals(state) && now.isAfter(startDeadline)) || now.isAfter(loadDeadline)) {
                    String text = tail(log);
                    if (pid > 0) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    throw new RestoreFailedException(
                            SERVER + " on port " + port + " was not ready in time: " + lastLine(text), text, null);
                }
                sleepQuietly(50);
            }
        }

        /** "ready", "loading" or "down". */
        private static String probe(int port) {
            try (Resp r = Resp.connect(port, 2000)) {
                r.call("PING");
                String info = r.text("INFO", "persistence");
                return "0".equals(field(info, "loading")) ? "ready" : "loading";
            } catch (Resp.Error e) {
                return e.getMessage().startsWith("LOADING") ? "loading" : "down";
            } catch (IOException | RuntimeException e) {
                return "down";
            }
        }

        /** The scratch server at {@code location}, if it answers and its folder carries the marker. */
        static Optional<ScratchServer> find(String location) throws RestoreFailedException {
            int port = port(location);
            try (Resp r = Resp.connect(port, 5000)) {
                long pid = Long.parseLong(field(r.text("INFO", "server"), "process_id"));
                List<?> dirReply = (List<?>) r.call("CONFIG", "GET", "dir");
                Path dir = Path.of(new String((byte[]) dirReply.get(1), UTF_8));
                if (!Files.exists(dir.resolve(MARKER))) {
                    return Optional.empty();
                }
                return Optional.of(new ScratchServer(port, pid, dir));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        long keys() {
            try (Resp r = Resp.connect(port, 5000)) {
                return totalKeys(r.text("INFO", "keyspace"));
            } catch (IOException e) {
                return -1;
            }
        }

        boolean running() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /** SHUTDOWN NOSAVE, a kill after 10 s, then the folder is deleted. Safe to call twice. */
        void stop() {
            if (running()) {
                try (Resp r = Resp.connect(port, 2000)) {
                    r.call("SHUTDOWN", "NOSAVE");
                } catch (IOException e) {
                    // the connection closes as the server exits
                }
                Instant deadline = Instant.now().plusSeconds(10);
                while (running() && Instant.now().isBefore(deadline)) {
                    sleepQuietly(50);
                }
                if (running()) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    Instant killed = Instant.now().plusSeconds(5);
                    while (running() && Instant.now().isBefore(killed)) {
                        sleepQuietly(50);
                    }
                }
            }
            if (!running()) {
                deleteQuietly(dir);
            }
        }

        private static long readPid(Path pidFile) {
            try {
                return Long.parseLong(Files.readString(pidFile).strip());
            } catch (NoSuchFileException | NumberFormatException e) {
                return -1;
            } catch (IOException e) {
                return -1;
            }
        }

        private static String tail(Path file) {
            try {
                byte[] bytes = Files.readAllBytes(file);
                int from = Math.max(0, bytes.length - 8192);
                return new String(bytes, from, bytes.length - from, UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        private static String lastLine(String text) {
            String[] lines = text.strip().split("\\R");
            for (int i = lines.length - 1; i >= 0; i--) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    return line;
                }
            }
            return "(no log)";
        }

        private static int freePort() throws RestoreFailedException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new RestoreFailedException("no free loopback port: " + e.getMessage());
            }
        }

        private static void sleepQuietly(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The port was taken between finding it free and the server binding it. */
    private static final class PortTaken extends Exception {
        PortTaken(String message) {
            super(message);
        }
    }
}
