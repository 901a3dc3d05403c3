package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.GpgHome;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.Postgres;
import io.lifeboat.testsupport.S3ProxyServer;
import io.lifeboat.testsupport.Tools;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted backups as a user drives them: the real launcher jar writes into a folder store and an
 * S3 API server with age or OpenPGP; the stored objects are then opened by hand with the stock
 * {@code age -d} / {@code gpg -d}, {@code zstd -d} and {@code tar -x} (or {@code pg_restore}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptedBackupIT {

    static final String BUCKET = "lifeboat-enc";

    @TempDir
    static Path work;

    S3ProxyServer s3;
    MinioClient minio;
    GpgHome gpg;
    Postgres db;
    Path folder;
    Path ageKey;
    String ageRecipient;
    String gpgFingerprint;
    Path gpgPublic;
    Path gpgSecret;

    @BeforeAll
    void start() throws Exception {
        Tools.require("age", "age");
        Tools.require("zstd", "zstd");
        gpg = GpgHome.create();
        gpgFingerprint = gpg.generate("lifeboat it <it@example.invalid>", "ed25519", "sign", "");
        gpg.addSubkey(gpgFingerprint, "cv25519", "encr", "");
        gpgPublic = gpg.exportPublic(gpgFingerprint, work.resolve("backup-public.asc"));
        gpgSecret = gpg.exportSecret(gpgFingerprint, "", work.resolve("backup-secret.asc"));

        ageKey = work.resolve("age-key.txt");
        Tools.run(Map.of(), "age-keygen", "-o", ageKey.toString()).ok();
        ageRecipient = Tools.run(Map.of(), "age-keygen", "-y", ageKey.toString())
                .ok()
                .out()
                .strip();

        folder = Files.createDirectories(work.resolve("app-config"));
        Files.writeString(folder.resolve("settings.yaml"), "answer: 42\n");
        Files.createDirectories(folder.resolve("nested/deeper"));
        byte[] random = new byte[3_000_000];
        new Random(11).nextBytes(random);
        Files.write(folder.resolve("nested/deeper/blob.bin"), random);
        Files.createFile(folder.resolve("empty"));

        db = Postgres.create("lifeboat_enc");
        db.execute(
                "create table users (id int primary key, name text not null)",
                "insert into users select g, 'user ' || g from generate_series(1, 1234) g");

        s3 = S3ProxyServer.launch();
        minio = MinioClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .build();
    }

    @AfterAll
    void stop() throws Exception {
        if (s3 != null) s3.close();
        if (db != null) db.close();
        if (gpg != null) gpg.close();
    }

    @Test
    void ageIntoAFolderStoreRestoresByHandWithAgeZstdAndTar() throws Exception {
        LifeboatCli cli = cli(
                "fs-age",
                "{type: filesystem, path: store, encryption: {type: age, recipients: [" + ageRecipient
                        + "], identityFile: \"" + ageKey + "\"}}");
        String id = backup(cli, "app-config");
        Path store = work.resolve("fs-age/store");
        JsonNode manifest = Json.MAPPER.readTree(
                store.resolve("app-config/" + id + "/manifest.json").toFile());
        checkManifest(manifest, "age", ".age", ageRecipient);
        Path object = store.resolve(manifest.get("artifactKey").asText());
        assertThat(object.getFileName().toString()).isEqualTo("data.tar.zst.age");
        assertThat(sha256(object)).isEqualTo(manifest.get("sha256").asText());
        assertThat(Files.size(object)).isEqualTo(manifest.get("storedBytes").asLong());
        verifies(cli, id);

        Path out = Files.createDirectories(work.resolve("fs-age-restored"));
        Tools.sh(Map.of(), "age -d -i '" + ageKey + "' '" + object + "' | zstd -d | tar -x -C '" + out + "'")
                .ok();
        assertThat(tree(out)).isEqualTo(tree(folder));

        Path byHint = Files.createDirectories(work.resolve("fs-age-hint"));
        runHint(
                manifest,
                object.getParent(),
                Map.of("KEYFILE", "'" + ageKey + "'", "DEST", "'" + byHint + "'"),
                Map.of());
        assertThat(tree(byHint)).isEqualTo(tree(folder));

        // one changed byte: verification fails without any key, and age refuses the object
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length / 2] ^= 1;
        Files.write(object, bytes);
        Result bad = cli.run("verify", id);
        assertThat(bad.exitCode()).as(bad.toString()).isNotZero();
        assertThat(Tools.run(Map.of(), "age", "-d", "-i", ageKey.toString(), "-o", "/dev/null", object.toString())
                        .exit())
                .isNotZero();
    }

    @Test
    void ageIntoS3VerifiesWithoutTheIdentityAndRestoresByHand() throws Exception {
        // no identityFile on this machine: backing up and verifying need only the public recipient
        LifeboatCli cli = cli("s3-age", s3Store("{type: age, recipients: [" + ageRecipient + "]}"));
        String id = backup(cli, "app-config");
        JsonNode manifest = s3Manifest("app-config", id);
        checkManifest(manifest, "age", ".age", ageRecipient);
        verifies(cli, id);

        Path object = download(manifest.get("artifactKey").asText(), work.resolve("s3-age-download"));
        assertThat(sha256(object)).isEqualTo(manifest.get("sha256").asText());
        Path out = Files.createDirectories(work.resolve("s3-age-restored"));
        Tools.sh(Map.of(), "age -d -i '" + ageKey + "' '" + object + "' | zstd -d | tar -x -C '" + out + "'")
                .ok();
        assertThat(tree(out)).isEqualTo(tree(folder));
    }

    @Test
    void openPgpIntoAFolderStoreRestoresByHandWithGpg() throws Exception {
        LifeboatCli cli = cli(
                "fs-gpg",
                "{type: filesystem, path: store, encryption: {type: openpgp, recipientsFile: \"" + gpgPublic
                        + "\", identityFile: \"" + gpgSecret + "\"}}");
        String id = backup(cli, "app-config");
        Path store = work.resolve("fs-gpg/store");
        JsonNode manifest = Json.MAPPER.readTree(
                store.resolve("app-config/" + id + "/manifest.json").toFile());
        checkManifest(manifest, "openpgp", ".gpg", gpgFingerprint);
        Path object = store.resolve(manifest.get("artifactKey").asText());
        assertThat(object.getFileName().toString()).isEqualTo("data.tar.zst.gpg");
        verifies(cli, id);

        Path out = Files.createDirectories(work.resolve("fs-gpg-restored"));
        Tools.sh(gpg.env(), "gpg --batch -d '" + object + "' | zstd -d | tar -x -C '" + out + "'")
                .ok();
        assertThat(tree(out)).isEqualTo(tree(folder));

        Path byHint = Files.createDirectories(work.resolve("fs-gpg-hint"));
        runHint(manifest, object.getParent(), Map.of("DEST", "'" + byHint + "'"), gpg.env());
        assertThat(tree(byHint)).isEqualTo(tree(folder));
    }

    @Test
    void openPgpIntoS3RestoresByHandWithGpg() throws Exception {
        LifeboatCli cli = cli("s3-gpg", s3Store("{type: openpgp, recipientsFile: \"" + gpgPublic + "\"}"));
        String id = backup(cli, "app-config");
        JsonNode manifest = s3Manifest("app-config", id);
        checkManifest(manifest, "openpgp", ".gpg", gpgFingerprint);
        verifies(cli, id);

        Path object = download(manifest.get("artifactKey").asText(), work.resolve("s3-gpg-download"));
        Path out = Files.createDirectories(work.resolve("s3-gpg-restored"));
        Tools.sh(gpg.env(), "gpg --batch -d '" + object + "' | zstd -d | tar -x -C '" + out + "'")
                .ok();
        assertThat(tree(out)).isEqualTo(tree(folder));
    }

    @Test
    void anEncryptedPostgresBackupRestoresWithItsOwnHint() throws Exception {
        LifeboatCli cli = cli("s3-age-db", s3Store("{type: age, recipients: [" + ageRecipient + "]}"));
        String id = backup(cli, "app-db");
        JsonNode manifest = s3Manifest("app-db", id);
        checkManifest(manifest, "age", ".age", ageRecipient);
        assertThat(manifest.get("restoreHint").asText())
                .startsWith(
                        "age -d -i KEYFILE data.dump.zst.age | zstd -d -o data.dump && createdb NEWDB && pg_restore");
        Path object = download(manifest.get("artifactKey").asText(), work.resolve("s3-age-db-download"));

        String restored = Postgres.missingDatabaseName();
        try {
            Map<String, String> pg =
                    Map.of("PGHOST", Postgres.HOST, "PGPORT", String.valueOf(Postgres.PORT), "PGUSER", Postgres.USER);
            runHint(manifest, object.getParent(), Map.of("KEYFILE", "'" + ageKey + "'", "NEWDB", restored), pg);
            try (Connection c = Postgres.connect(restored);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*), max(name) from users")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1234);
                assertThat(rs.getString(2)).isEqualTo("user 999");
            }
        } finally {
            try (Connection c = Postgres.connect("postgres");
                    Statement s = c.createStatement()) {
                s.execute("drop database if exists \"" + restored + "\"");
            }
        }
    }

    @Test
    void aBackupLargerThanTheHeapIsEncryptedAsAStream() throws Exception {
        // the CLI runs with -Xmx256m: 300 MB of incompressible data cannot be held whole
        long size = 300_000_000L;
        LifeboatCli cli = cli(
                "fs-age-big",
                "{type: filesystem, path: store, encryption: {type: age, recipients: [" + ageRecipient + "]}}");
        String id = backup(cli, "big");
        Path store = work.resolve("fs-age-big/store");
        JsonNode manifest = Json.MAPPER.readTree(
                store.resolve("big/" + id + "/manifest.json").toFile());
        assertThat(manifest.get("rawBytes").asLong()).isEqualTo(size);
        assertThat(manifest.get("storedBytes").asLong()).isGreaterThan(size);
        Path object = store.resolve(manifest.get("artifactKey").asText());
        assertThat(Tools.sh(Map.of(), "age -d -i '" + ageKey + "' '" + object + "' | zstd -d | wc -c")
                        .ok()
                        .out()
                        .strip())
                .isEqualTo(String.valueOf(size));
        Files.delete(object);
    }

    @Test
    void aMistypedRecipientStopsTheCommandNamingTheKey() throws Exception {
        char c = ageRecipient.charAt(30);
        String mistyped = ageRecipient.substring(0, 30) + (c == 'q' ? 'p' : 'q') + ageRecipient.substring(31);
        LifeboatCli cli = cli(
                "fs-typo", "{type: filesystem, path: store, encryption: {type: age, recipients: [" + mistyped + "]}}");
        Result r = cli.run("backup", "app-config");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr())
                .contains("storage.primary.encryption.recipients[0]: the age recipient has a bad checksum");
        assertThat(work.resolve("fs-typo/store")).doesNotExist();

        Path recipients = Files.writeString(work.resolve("typo-recipients.txt"), "# keys\n" + mistyped + "\n");
        LifeboatCli fromFile = cli(
                "fs-typo-file",
                "{type: filesystem, path: store, encryption: {type: age," + " recipientsFile: \"" + recipients
                        + "\"}}");
        Result f = fromFile.run("backup", "app-config");
        assertThat(f.exitCode()).isNotZero();
        assertThat(f.stderr())
                .contains(
                        "storage.primary.encryption: " + recipients + " line 2: the age recipient has a bad checksum");
    }

    // --- helpers

    private LifeboatCli cli(String name, String primary) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        Path config = dir.resolve("lifeboat.yaml");
        Files.writeString(
                config, """
                dataDir: data
                storage:
                  primary: %s
                targets:
                  app-config: {kind: directory, path: "%s", schedule: "0 30 2 * * ?", rpo: 26h}
                  app-db: {kind: postgres, host: %s, port: %d, database: %s, user: %s, schedule: "0 0 2 * * ?", rpo: 26h}
                  big: {kind: command, command: ["sh", "-c", "head -c 300000000 /dev/urandom"], extension: bin, schedule: "0 0 3 * * ?", rpo: 26h}
                """.formatted(primary, folder, Postgres.HOST, Postgres.PORT, db.name(), Postgres.USER));
        return new LifeboatCli(config).env("IT_S3_KEY", s3.accessKey()).env("IT_S3_SECRET", s3.secretKey());
    }

    private String s3Store(String encryption) {
        return "{type: s3, endpoint: \"" + s3.endpoint() + "\", bucket: " + BUCKET
                + ", accessKey: \"${IT_S3_KEY}\", secretKey: \"${IT_S3_SECRET}\", encryption: " + encryption + "}";
    }

    private static String backup(LifeboatCli cli, String target) throws Exception {
        Result r = cli.run("backup", target);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String id = r.stdout().strip();
        assertThat(id).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        return id;
    }

    private static void verifies(LifeboatCli cli, String id) throws Exception {
        Result v = cli.run("verify", id);
        assertThat(v.exitCode()).as(v.toString()).isZero();
    }

    private static void checkManifest(JsonNode m, String encryption, String suffix, String recipient) {
        assertThat(m.get("artifactKey").asText()).endsWith(".zst" + suffix);
        assertThat(m.get("compression").asText()).isEqualTo("zstd");
        assertThat(m.get("encryption").asText()).isEqualTo(encryption);
        assertThat(m.get("recipients")).hasSize(1);
        assertThat(m.get("recipients").get(0).asText()).isEqualTo(recipient);
        String hint = m.get("restoreHint").asText();
        assertThat(hint).contains(encryption.equals("age") ? "age -d -i KEYFILE data." : "gpg -d data.");
        assertThat(m.toString()).doesNotContain("AGE-SECRET-KEY").doesNotContain("PRIVATE KEY");
    }

    /** Runs the manifest's restore hint as written, in the folder that holds the object, placeholders filled in. */
    private static void runHint(JsonNode manifest, Path in, Map<String, String> fill, Map<String, String> env)
            throws Exception {
        String hint = manifest.get("restoreHint").asText();
        for (Map.Entry<String, String> e : fill.entrySet()) {
            hint = hint.replace(e.getKey(), e.getValue());
        }
        Map<String, String> all = new HashMap<>(env);
        Tools.sh(all, "cd '" + in + "' && " + hint.replace("gpg -d", "gpg --batch -d"))
                .ok();
    }

    private JsonNode s3Manifest(String target, String id) throws Exception {
        try (InputStream in = minio.getObject(GetObjectArgs.builder()
                .bucket(BUCKET)
                .object(target + "/" + id + "/manifest.json")
                .build())) {
            return Json.MAPPER.readTree(in);
        }
    }

    private Path download(String key, Path dir) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve(key.substring(key.lastIndexOf('/') + 1));
        try (InputStream in = minio.getObject(
                GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Relative path → SHA-256 of every file (empty for folders). */
    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(p -> !p.equals(root)).toList()) {
                out.put(root.relativize(p).toString(), Files.isDirectory(p) ? "" : sha256(p));
            }
        }
        return out;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
