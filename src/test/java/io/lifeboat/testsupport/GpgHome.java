package io.lifeboat.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throw-away GnuPG home (its own keyring and agent) for tests: generates keys with the stock
 * {@code gpg}, exports them as files, runs {@code gpg} against them, and stops its agent when closed.
 * Skips the calling test when gpg is not installed.
 */
public final class GpgHome implements AutoCloseable {

    private final Path home;

    private GpgHome(Path home) {
        this.home = home;
    }

    /** A new home; short path under /tmp, as the agent's socket path must stay short. */
    public static GpgHome create() throws IOException {
        Tools.require("gpg", "gnupg");
        Path home = Files.createTempDirectory(Path.of("/tmp"), "lbgpg");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return new GpgHome(home);
    }

    public Path path() {
        return home;
    }

    public Map<String, String> env() {
        return Map.of("GNUPGHOME", home.toString());
    }

    /** A key pair as {@code gpg --quick-gen-key 'UID' ALGO USAGE never}; returns the primary fingerprint. */
    public String generate(String uid, String algo, String usage, String passphrase) throws Exception {
        gpg(passphrase, "--quick-gen-key", uid, algo, usage, "never");
        return fingerprint(uid);
    }

    /** Adds a subkey ({@code gpg --quick-add-key FPR ALGO USAGE never}). */
    public void addSubkey(String fingerprint, String algo, String usage, String passphrase) throws Exception {
        gpg(passphrase, "--quick-add-key", fingerprint, algo, usage, "never");
    }

    public String fingerprint(String uid) throws Exception {
        String listing = gpg(null, "--with-colons", "--list-keys", uid).out();
        return listing.lines()
                .filter(l -> l.startsWith("fpr:"))
                .findFirst()
                .map(l -> l.split(":")[9])
                .orElseThrow(() -> new AssertionError("no key for " + uid + ": " + listing));
    }

    /** {@code gpg --export --armor}: the public key file a store's recipientsFile names. */
    public Path exportPublic(String fingerprint, Path file) throws Exception {
        Files.write(file, gpg(null, "--armor", "--export", fingerprint).stdout());
        return file;
    }

    /** {@code gpg --export-secret-keys --armor}: the secret key file a store's identityFile names. */
    public Path exportSecret(String fingerprint, String passphrase, Path file) throws Exception {
        Files.write(
                file,
                gpg(passphrase, "--armor", "--export-secret-keys", fingerprint).stdout());
        return file;
    }

    /** Runs gpg in batch mode in this home; the passphrase (when given) is fed through loopback. */
    public Tools.Result gpg(String passphrase, String... args) throws Exception {
        return run(passphrase, args).ok();
    }

    /** As {@link #gpg}, without failing on a non-zero exit. */
    public Tools.Result run(String passphrase, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--pinentry-mode", "loopback"));
        cmd.addAll(List.of("--passphrase", passphrase == null ? "" : passphrase));
        cmd.addAll(List.of(args));
        return Tools.run(env(), cmd.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
        Tools.run(env(), "gpgconf", "--kill", "all");
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
