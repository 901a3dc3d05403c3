package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RDB snapshot of a running Redis server, taken over the network with {@code redis-cli --rdb -}
 * (the replication handshake, so nothing is written on the server's disk and all databases are
 * included). The password travels in {@code REDISCLI_AUTH}, never on the command line.
 *
 * <p>redis-cli 7.0 writes its status lines to stderr, but when the server streams a diskless
 * snapshot it also copies the 40-byte end-of-transfer marker to stdout after the RDB (it cannot
 * truncate a pipe). The last 40 bytes are therefore held back and dropped or passed on once
 * redis-cli's report says how long the payload was, so {@code out} receives exactly the RDB file.
 */
public final class RedisSource implements BackupSource {

    static final String TOOL = "redis-cli";
    static final int DEFAULT_PORT = 6379;
    /** Length of the marker that ends a diskless transfer (RDB_EOF_MARK_SIZE in redis). */
    static final int EOF_MARK_SIZE = 40;

    private static final Pattern UNTIL_MARK = Pattern.compile("Transfer finished with success after (\\d+) bytes");
    private static final Pattern SIZED = Pattern.compile("writing (\\d+) bytes to");

    private final String host;
    private final int port;
    private final List<String> connection;
    private final Map<String, String> environment;
    private final ProcessStreamer streamer;

    /**
     * @param url {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://…} for TLS; the
     *     db number is ignored because an RDB holds every database
     * @param password overrides the URL's password when not null/empty
     */
    public RedisSource(String url, String password) {
        requireNonNull(url, "url");
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            // not e.getMessage(): it repeats the URL, password included
            throw new IllegalArgumentException("not a valid redis URL: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme();
        if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("redis URL must start with redis:// or rediss://");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("redis URL has no host");
        }
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hostPort = authority.substring(at + 1);
        int portColon = hostPort.lastIndexOf(':');
        if (portColon < hostPort.lastIndexOf(']')) {
            portColon = -1; // the colons belong to an IPv6 address
        }
        String hostPart = portColon < 0 ? hostPort : hostPort.substring(0, portColon);
        if (hostPart.startsWith("[") && hostPart.endsWith("]")) {
            hostPart = hostPart.substring(1, hostPart.length() - 1);
        }
        if (hostPart.isEmpty()) {
            throw new IllegalArgumentException("redis URL has no host");
        }
        this.host = hostPart;
        try {
            this.port = portColon < 0 ? DEFAULT_PORT : Integer.parseInt(hostPort.substring(portColon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("redis URL has a bad port: " + hostPort.substring(portColon + 1));
        }

        String user = null;
        String urlPassword = null;
        if (userInfo != null) { // as redis-cli -u reads it: "user:password", ":password" or "password"
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = percentDecode(userInfo.substring(0, colon));
                urlPassword = percentDecode(userInfo.substring(colon + 1));
            } else {
                urlPassword = percentDecode(userInfo);
            }
        }
        String secret = password != null && !password.isEmpty() ? password : urlPassword;

        List<String> command = new ArrayList<>(List.of(TOOL, "-h", host, "-p", Integer.toString(port)));
        if (user != null && !user.isEmpty()) {
            command.addAll(List.of("--user", user));
        }
        if ("rediss".equalsIgnoreCase(scheme)) {
            command.add("--tls");
        }
        this.connection = List.copyOf(command.subList(1, command.size()));
        command.addAll(List.of("--rdb", "-"));
        this.environment = secret == null || secret.isEmpty() ? Map.of() : Map.of("REDISCLI_AUTH", secret);
        this.streamer = new ProcessStreamer(TOOL, command, environment);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** redis-cli's arguments that reach this server (host, port, user, TLS): never the password. */
    public List<String> connectionArguments() {
        return connection;
    }

    /** What redis-cli needs in its environment to log in ({@code REDISCLI_AUTH}); empty without a password. */
    public Map<String, String> environment() {
        return environment;
    }

    /** The command line redis-cli runs with; it never contains the password. */
    public List<String> command() {
        return streamer.command();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, SourceFailedException {
        HoldBack held = new HoldBack(requireNonNull(out, "out"), EOF_MARK_SIZE);
        String report = streamer.streamTo(held);
        long received = held.received();
        Matcher untilMark = UNTIL_MARK.matcher(report);
        Matcher sized = SIZED.matcher(report);
        long payload;
        if (untilMark.find()) {
            payload = Long.parseLong(untilMark.group(1));
        } else if (sized.find()) {
            payload = Long.parseLong(sized.group(1));
        } else {
            throw new SourceFailedException(
                    TOOL + " did not report the size of the snapshot from " + host + ":" + port, report);
        }
        if (received == payload) {
            held.release();
        } else if (received != payload + EOF_MARK_SIZE) {
            throw new SourceFailedException(
                    TOOL + " reported a snapshot of " + payload + " bytes but sent " + received + " from " + host + ":"
                            + port,
                    report);
        } // else: the held bytes are the end-of-transfer marker, not part of the RDB
        out.flush();
    }

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public String toolVersion() {
        return ProcessStreamer.version(List.of(TOOL, "--version")); // asked once per run: a source lives for one run
    }

    @Override
    public String restoreHint(String artifactFileName) {
        return RestoreHints.unpackTo(artifactFileName, "dump.rdb")
                + " && stop redis-server, put dump.rdb in its dir (CONFIG GET dir) with appendonly no, start redis-server";
    }

    @Override
    public String toString() {
        return "RedisSource[" + host + ":" + port + "]";
    }

    private static String percentDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("redis URL has a bad %-escape in its user info");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Passes bytes on, always keeping the last {@code size} back until told to release them. */
    static final class HoldBack extends OutputStream {
        private final OutputStream out;
        private final byte[] held;
        private int heldLength;
        private long received;

        HoldBack(OutputStream out, int size) {
            this.out = out;
            this.held = new byte[size];
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            received += length;
            if (length >= held.length) {
                out.write(held, 0, heldLength);
                out.write(bytes, offset, length - held.length);
                System.arraycopy(bytes, offset + length - held.length, held, 0, held.length);
                heldLength = held.length;
                return;
            }
            int overflow = heldLength + length - held.length;
            if (overflow > 0) {
                out.write(held, 0, overflow);
                System.arraycopy(held, overflow, held, 0, heldLength - overflow);
                heldLength -= overflow;
            }
            System.arraycopy(bytes, offset, held, heldLength, length);
            heldLength += length;
        }

        long received() {
            return received;
        }

        void release() throws IOException {
            out.write(held, 0, heldLength);
            heldLength = 0;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
