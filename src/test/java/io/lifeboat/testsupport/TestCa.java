package io.lifeboat.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA and a server certificate signed by it, made with the JDK's keytool (nothing else to
 * install): {@code ca.pem} to trust, and {@code server.p12} / PEM files for a TLS server.
 */
public final class TestCa {

    private TestCa() {}

    /** Writes {@code ca.pem} (the CA certificate, PEM) into {@code dir} and returns its path. */
    public static Path caPem(Path dir) throws IOException, InterruptedException {
        Path ks = dir.resolve("ca.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=Test MQTT CA",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
                "-keypass",
                "changeit");
        Path pem = dir.resolve("ca.pem");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-file",
                pem.toString());
        return pem;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
        if (!Files.exists(Path.of(args[args.length - 1])) && args[0].equals("-exportcert")) {
            throw new IOException("keytool wrote nothing: " + out);
        }
    }
}
