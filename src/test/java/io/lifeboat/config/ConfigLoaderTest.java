package io.lifeboat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.domain.RetentionPolicy;
import io.lifeboat.domain.TargetKind;
import io.lifeboat.domain.Validation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String STORE = "storage:\n  primary: {type: filesystem, path: store}\n";
    private static final String TARGET =
            "targets:\n  files: {kind: directory, path: ., schedule: \"0 * * * * ?\", rpo: 5m}\n";

    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("lifeboat.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private LifeboatConfig load(String yaml) throws IOException {
        return ConfigLoader.load(write(yaml), env);
    }

    private ConfigException failure(String yaml) throws IOException {
        Path file = write(yaml);
        return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, env));
    }

    private List<String> problems(String yaml) throws IOException {
        ConfigException e = failure(yaml);
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.problems();
    }

    private List<String> targetProblems(String targetBody) throws IOException {
        return problems(STORE + "targets:\n  t: " + targetBody + "\n");
    }

    // --- the sample files -------------------------------------------------------------------

    @Test
    void embeddedSampleLoadsWithDefaults() {
        Path file = Path.of("config/lifeboat.yaml");
        LifeboatConfig c = ConfigLoader.load(file, Map.of());
        Path configDir = file.toAbsolutePath().getParent();

        assertThat(c.dataDir()).isEqualTo(configDir.resolve("../data").normalize());
        assertThat(c.primary().isFilesystem()).isTrue();
        assertThat(c.primary().path())
                .isEqualTo(configDir.resolve("../data/backups").normalize());
        assertThat(c.offsite()).isNull();
        assertThat(c.catalog().embedded()).isTrue();
        assertThat(c.mqtt()).isNull();
        assertThat(c.broker()).isEqualTo(new LifeboatConfig.BrokerConfig(null, "127.0.0.1", 1884));
        TargetConfig t = c.target("lifeboat-config").orElseThrow();
        assertThat(t.kind()).isEqualTo(TargetKind.DIRECTORY);
        assertThat(t.path()).isEqualTo(configDir);
        assertThat(t.schedule()).isEqualTo("0 * * * * ?");
        assertThat(t.rpo()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void productionExampleLoadsWithItsSecretsFromTheEnvironment() {
        Map<String, String> prod = Map.of(
                "LIFEBOAT_S3_ACCESS_KEY", "access-1",
                "LIFEBOAT_S3_SECRET_KEY", "secret-1",
                "LIFEBOAT_CATALOG_PASSWORD", "catalog-1",
                "LIFEBOAT_API_TOKEN", "api-token-0123456789",
                "LIFEBOAT_MANAGEMENT_TOKEN", "management-token-0123456789",
                "LIFEBOAT_RESUME_TOKEN", "resume-token-1",
                "TELEGRAM_BOT_TOKEN", "123456:fake-token-for-tests-only-0123",
                "HA_TOKEN", "ha-token-1");
        LifeboatConfig c = ConfigLoader.load(Path.of("config/lifeboat.example.yaml"), prod);

        assertThat(c.primary())
                .isEqualTo(new StoreConfig(
                        "s3", "http://127.0.0.1:9000", "lifeboat", "us-east-1", "access-1", "secret-1", null));
        assertThat(c.offsite().path()).isEqualTo(Path.of("/mnt/usb/lifeboat"));
        assertThat(c.catalog())
                .isEqualTo(new LifeboatConfig.CatalogConfig(
                        "jdbc:postgresql://127.0.0.1:5432/lifeboat", "lifeboat", "catalog-1"));
        assertThat(c.mqtt()).isEqualTo(new LifeboatConfig.MqttConfig("tcp://127.0.0.1:1883", "lifeboat", null, null));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/lifeboat"));
        assertThat(c.broker().artemisUrl()).isNull();
        assertThat(c.targets()).containsOnlyKeys("app-db", "cache", "app-config", "vectors");

        TargetConfig db = c.targets().get("app-db");
        assertThat(db.kind()).isEqualTo(TargetKind.POSTGRES);
        assertThat(db.database()).isEqualTo("app");
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.password()).isNull(); // ${APP_DB_PASSWORD:-} with the variable unset
        assertThat(db.rpo()).isEqualTo(Duration.ofHours(26));
        assertThat(db.retention()).isEqualTo(new RetentionPolicy(3, 0, 7, 4, 12, 0, null));
        assertThat(db.drill().schedule()).isEqualTo("0 0 4 1 * ?");
        assertThat(db.drill().rto()).isEqualTo(Duration.ofMinutes(15));
        assertThat(db.drill().validate())
                .containsExactly(new Validation("select count(*) from users", null, null, null, 1L, null));
        assertThat(db.autoRestore()).isFalse();
        assertThat(c.targets().get("cache").url()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(c.targets().get("app-config").path()).isEqualTo(Path.of("/opt/app/config"));
        TargetConfig vectors = c.targets().get("vectors");
        assertThat(vectors.command()).containsExactly("sh", "-c", "curl -fsS http://qdrant:6333/...");
        assertThat(vectors.artifactExtension()).isEqualTo("snapshot");
        assertThat(c.alerting().receivers()).containsOnlyKeys("phone", "house");
        assertThat(c.alerting().receivers().get("phone").chats()).containsExactly("123456789");
        assertThat(c.alerting().receivers().get("phone").token()).isEqualTo("123456:fake-token-for-tests-only-0123");
        assertThat(c.alerting().receivers().get("phone").perSecond()).isEqualTo(1.0);
        assertThat(c.alerting().receivers().get("house").notifyService()).isEqualTo("mobile_app_phone");
        assertThat(c.alerting().route().receiver()).isEqualTo("phone");
        assertThat(c.alerting().route().groupBy()).containsExactly("target");
        assertThat(c.alerting().route().groupWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.alerting().route().routes()).singleElement().satisfies(r -> {
            assertThat(r.match()).containsEntry("severity", "critical");
            assertThat(r.receiver()).isEqualTo("house");
            assertThat(r.continueMatching()).isTrue();
        });
        assertThat(c.homeassistant().discovery()).isTrue();
        assertThat(c.homeassistant().prefix()).isEqualTo("homeassistant");
    }

    @Test
    void productionExampleWithoutItsSecretsNamesEachMissingVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("config/lifeboat.example.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config/lifeboat.example.yaml has 8 problems:")
                .hasMessageContaining(
                        "alerting.receivers.phone.token: environment variable TELEGRAM_BOT_TOKEN is not set")
                .hasMessageContaining("alerting.receivers.house.token: environment variable HA_TOKEN is not set")
                .hasMessageContaining("http.token: environment variable LIFEBOAT_API_TOKEN is not set")
                .hasMessageContaining("management.token: environment variable LIFEBOAT_MANAGEMENT_TOKEN is not set")
                .hasMessageContaining("safeMode.resumeToken: environment variable LIFEBOAT_RESUME_TOKEN is not set")
                .hasMessageContaining(
                        "storage.primary.accessKey: environment variable LIFEBOAT_S3_ACCESS_KEY is not set")
                .hasMessageContaining(
                        "storage.primary.secretKey: environment variable LIFEBOAT_S3_SECRET_KEY is not set")
                .hasMessageContaining("catalog.password: environment variable LIFEBOAT_CATALOG_PASSWORD is not set");
    }

    // --- defaults and relative paths -------------------------------------------------------

    @Test
    void defaultsAndPathsRelativeToTheConfigFolder() throws IOException {
        LifeboatConfig c = load(STORE + "targets:\n"
                + "  db: {kind: postgres, database: app, schedule: \"0 0 2 * * ?\", rpo: 26h}\n"
                + "  docs: {kind: directory, path: ../docs, schedule: \"0 0 2 * * ? 2099\", rpo: 1h30m}\n");
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.primary().path()).isEqualTo(dir.resolve("store"));
        assertThat(c.targets().get("docs").path()).isEqualTo(dir.getParent().resolve("docs"));
        assertThat(c.targets().get("docs").rpo()).isEqualTo(Duration.ofMinutes(90));
        TargetConfig db = c.targets().get("db");
        assertThat(db.host()).isEqualTo("127.0.0.1");
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.user()).isNull();
        assertThat(db.retention()).isEqualTo(RetentionPolicy.KEEP_ALL);
        assertThat(db.drill()).isNull();
        assertThat(c.prune()).isEqualTo(LifeboatConfig.PruneConfig.DEFAULT);
        assertThat(c.catalog().embedded()).isTrue();
        assertThat(c.mqtt()).isNull();
        assertThat(c.broker()).isEqualTo(new LifeboatConfig.BrokerConfig(null, "127.0.0.1", 1884));
    }

    @Test
    void optionalSectionsAreRead() throws IOException {
        LifeboatConfig c = load(STORE + TARGET
                + "dataDir: /srv/lifeboat\n"
                + "mqtt: {url: \"ssl://broker:8883\", username: me}\n"
                + "artemis: {url: \"tcp://artemis:61616\"}\n"
                + "broker: {mqttHost: 0.0.0.0, mqttPort: \"1999\"}\n"
                + "redis: {url: \"redis://127.0.0.1:6379\", maxLength: 5000, whenFull: block}\n"
                + "http: {port: 8081, token: \"0123456789abcdef0123\"}\n"
                + "alerting: {receivers: {phone: {type: mqtt}}, route: {receiver: phone},"
                + " backupOn: [{match: {alertname: SmartWarning, host: nas}, targets: [files]}, {match: {a: b}, targets: all}]}\n"
                + "homeassistant: {discovery: true}\nsafeMode: {faults: 2, window: 1m, resumeToken: \"s3cret-token\"}\n"
                + "health: {flapChanges: 4, flapWindow: 2m}\n");
        assertThat(c.dataDir()).isEqualTo(Path.of("/srv/lifeboat"));
        assertThat(c.mqtt()).isEqualTo(new LifeboatConfig.MqttConfig("ssl://broker:8883", "lifeboat", "me", null));
        assertThat(c.broker()).isEqualTo(new LifeboatConfig.BrokerConfig("tcp://artemis:61616", "0.0.0.0", 1999));
        assertThat(c.artemis().url()).isEqualTo("tcp://artemis:61616");
        assertThat(c.redis())
                .isEqualTo(new LifeboatConfig.RedisConfig(
                        "redis://127.0.0.1:6379",
                        "lifeboat:outbox",
                        5000,
                        LifeboatConfig.RedisConfig.FullPolicy.BLOCK));
        assertThat(c.http().port()).isEqualTo(8081);
        assertThat(c.http().token()).isEqualTo("0123456789abcdef0123");
        assertThat(c.safeMode()).isEqualTo(new LifeboatConfig.SafeModeConfig(2, Duration.ofMinutes(1), "s3cret-token"));
        assertThat(c.health()).isEqualTo(new LifeboatConfig.HealthConfig(4, Duration.ofMinutes(2)));
        assertThat(c.alertRules())
                .containsExactly(
                        new LifeboatConfig.AlertRule(
                                "rule-1", Map.of("alertname", "SmartWarning", "host", "nas"), List.of("files"), false),
                        new LifeboatConfig.AlertRule("rule-2", Map.of("a", "b"), List.of(), true));
        assertThat(c.cluster().enabled()).isFalse();
    }

    @Test
    void eventPipelineSectionsNameEveryBadKey() throws IOException {
        assertThat(problems(STORE + TARGET
                        + "redis: {url: \"http://x\", whenFull: drop}\n"
                        + "http: {token: short, port: 0}\n"
                        + "safeMode: {faults: 0, window: soon}\n"
                        + "mqtt: {url: \"tcp://h:1883\", clientId: \"has space\", subscriptions: [{topic: a/b}]}\n"
                        + "alerting: {backupOn: [{match: {}, targets: [nope]}]}\n"
                        + "cluster: {enabled: true}\n"))
                .anyMatch(p -> p.startsWith("redis.url:"))
                .anyMatch(p -> p.startsWith("redis.whenFull:"))
                .anyMatch(p -> p.startsWith("http.token:"))
                .anyMatch(p -> p.startsWith("http.port:"))
                .anyMatch(p -> p.startsWith("safeMode.faults:"))
                .anyMatch(p -> p.startsWith("safeMode.window:"))
                .anyMatch(p -> p.startsWith("mqtt.clientId:"))
                .anyMatch(p -> p.startsWith("mqtt.subscriptions[0].service:"))
                .anyMatch(p -> p.startsWith("alerting.backupOn[0].match:"))
                .anyMatch(p -> p.contains("alerting.backupOn[0].targets") && p.contains("nope"))
                .anyMatch(p -> p.startsWith("cluster.enabled:") && p.contains("PostgreSQL"))
                .anyMatch(p -> p.startsWith("cluster.enabled:") && p.contains("artemis.url"));
    }

    // --- management: where /observe/metrics is served --------------------------------------------

    @Test
    void managementDefaultsToLoopbackOn9876() throws IOException {
        assertThat(load(STORE + TARGET).management())
                .isEqualTo(new LifeboatConfig.ManagementConfig(true, "127.0.0.1", 9876));
        assertThat(load(STORE + TARGET + "management: {}\n").management())
                .isEqualTo(new LifeboatConfig.ManagementConfig(true, "127.0.0.1", 9876));
    }

    @Test
    void managementIsRead() throws IOException {
        env.put("MGMT_PORT", "19876");
        assertThat(load(STORE + TARGET + "management: {port: \"${MGMT_PORT}\", host: 0.0.0.0}\n")
                        .management())
                .isEqualTo(new LifeboatConfig.ManagementConfig(true, "0.0.0.0", 19876));
        assertThat(load(STORE + TARGET + "management: {enabled: false}\n").management())
                .isEqualTo(new LifeboatConfig.ManagementConfig(false, "127.0.0.1", 9876));
        assertThat(load(STORE + TARGET + "management: {host: \"::1\", port: 65535}\n")
                        .management())
                .isEqualTo(new LifeboatConfig.ManagementConfig(true, "::1", 65535));
    }

    @Test
    void badManagementValuesAreNamedAllAtOnce() throws IOException {
        assertThat(problems(STORE + TARGET + "management: {port: 0, host: \"http://x y\", enabled: maybe, token: t}\n"))
                .containsExactlyInAnyOrder(
                        "management.token: is too short to guard JMX operations; use 16 characters or more (openssl rand -hex 24)",
                        "management.enabled: expected true or false, got 'maybe'",
                        "management.host: must be a host name or an IP address such as 127.0.0.1, got 'http://x y'",
                        "management.port: must be between 1 and 65535, got 0");
        assertThat(problems(STORE + TARGET + "management: {port: 70000}\n"))
                .containsExactly("management.port: must be between 1 and 65535, got 70000");
        assertThat(problems(STORE + TARGET + "management: {port: 99999999999999999999}\n"))
                .containsExactly("management.port: expected a whole number, got a number");
        assertThat(problems(STORE + TARGET + "management: {port: \"98x\"}\n"))
                .containsExactly("management.port: expected a whole number, got '98x'");
        assertThat(problems(STORE + TARGET + "management: 9876\n"))
                .containsExactly("management: expected a map (key: value lines), got a number");
        assertThat(problems(STORE + TARGET + "management: {host: \"" + "h".repeat(300) + "\"}\n"))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("management.host: must be a host name or an IP address");
    }

    @Test
    void s3StoreGetsTheDefaultRegion() throws IOException {
        env.put("K", "k");
        LifeboatConfig c = load("storage:\n  primary: {type: s3, endpoint: \"https://s3.example\", bucket: b-1, "
                + "accessKey: a, secretKey: \"${K}\"}\n  offsite: {type: s3, endpoint: \"http://x\", bucket: offsite, "
                + "region: eu-west-1, accessKey: a, secretKey: s}\n" + TARGET);
        assertThat(c.primary().region()).isEqualTo("us-east-1");
        assertThat(c.primary().secretKey()).isEqualTo("k");
        assertThat(c.offsite().region()).isEqualTo("eu-west-1");
    }

    // --- each kind of problem, named by its key -------------------------------------------------

    @Test
    void requiredSectionsAreNamed() throws IOException {
        assertThat(problems("dataDir: x\n")).containsExactly("storage: required", "targets: required");
        assertThat(problems("storage: {}\ntargets: {}\n"))
                .containsExactly("storage.primary: required", "targets: needs at least one target");
    }

    @Test
    void storeProblems() throws IOException {
        assertThat(problems("storage:\n  primary: {type: s3}\n" + TARGET))
                .containsExactly(
                        "storage.primary.endpoint: required", "storage.primary.bucket: required",
                        "storage.primary.accessKey: required", "storage.primary.secretKey: required");
        assertThat(problems("storage:\n  primary: {type: filesystem}\n  offsite: {type: ftp}\n" + TARGET))
                .containsExactly(
                        "storage.primary.path: required",
                        "storage.offsite.type: unknown type 'ftp' (expected s3, filesystem)");
        assertThat(problems("storage:\n  primary: {path: x}\n" + TARGET))
                .containsExactly("storage.primary.type: required");
        assertThat(problems("storage:\n  primary: {type: filesystem, path: x, bucket: b}\n" + TARGET))
                .containsExactly("storage.primary.bucket: not used by type filesystem");
        assertThat(problems(
                        "storage:\n  primary: {type: s3, endpoint: \"s3.local\", bucket: Bad_Bucket, accessKey: a, secretKey: s}\n"
                                + TARGET))
                .containsExactly(
                        "storage.primary.endpoint: must start with http:// or https://, got 's3.local'",
                        "storage.primary.bucket: not a valid bucket name 'Bad_Bucket' (3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit)");
        assertThat(problems("storage:\n  primary: [filesystem]\n" + TARGET))
                .containsExactly("storage.primary: expected a map (key: value lines), got a list");
    }

    @Test
    void targetNameMustBeAStoragePrefix() throws IOException {
        assertThat(problems(
                        STORE + "targets:\n  App_DB: {kind: directory, path: ., schedule: \"0 * * * * ?\", rpo: 5m}\n"))
                .containsExactly(
                        "targets.App_DB: bad target name; it must match [a-z0-9][a-z0-9._-]{0,62} (it is a storage prefix)");
        assertThat(problems(STORE + "targets:\n  " + "a".repeat(64)
                        + ": {kind: directory, path: ., schedule: \"0 * * * * ?\", rpo: 5m}\n"))
                .singleElement()
                .asString()
                .contains("bad target name");
        assertThat(load(STORE + "targets:\n  " + "a".repeat(63)
                                + ": {kind: directory, path: ., schedule: \"0 * * * * ?\", rpo: 5m}\n")
                        .targets())
                .hasSize(1);
    }

    @Test
    void kindScheduleAndRpoAreRequiredAndChecked() throws IOException {
        assertThat(targetProblems("{path: .}"))
                .containsExactly("targets.t.kind: required", "targets.t.schedule: required", "targets.t.rpo: required");
        assertThat(targetProblems("{kind: mysql, schedule: \"0 0 25 * * ?\", rpo: soon}"))
                .containsExactly(
                        "targets.t.kind: unknown kind 'mysql' (expected postgres, redis, directory, command)",
                        "targets.t.schedule: bad cron '0 0 25 * * ?': Hour values must be between 0 and 23",
                        "targets.t.rpo: bad duration 'soon' (use e.g. 30s, 5m, 26h, 7d, 1h30m)");
        assertThat(targetProblems("{kind: directory, path: ., schedule: \"0 2 * * *\", rpo: 1d}"))
                .containsExactly(
                        "targets.t.schedule: bad cron '0 2 * * *': expected 6 or 7 fields (second minute hour day month weekday [year]), got 5");
        assertThat(targetProblems("{kind: directory, path: ., schedule: \"\", rpo: 1d}"))
                .containsExactly("targets.t.schedule: must not be empty");
    }

    @Test
    void perKindConnectionProblems() throws IOException {
        String when = ", schedule: \"0 0 * * * ?\", rpo: 2h";
        assertThat(targetProblems("{kind: postgres, port: \"fivefour\"" + when + "}"))
                .containsExactly(
                        "targets.t.port: expected a whole number, got 'fivefour'", "targets.t.database: required");
        assertThat(targetProblems("{kind: postgres, database: app, port: 70000" + when + "}"))
                .containsExactly("targets.t.port: must be between 1 and 65535, got 70000");
        assertThat(targetProblems("{kind: postgres, database: [app], port: [5432]" + when + "}"))
                .containsExactly(
                        "targets.t.port: expected a whole number, got a list",
                        "targets.t.database: expected a string, got a list");
        assertThat(targetProblems("{kind: redis, url: \"http://cache:6379\"" + when + "}"))
                .containsExactly("targets.t.url: must start with redis:// or rediss://");
        assertThat(targetProblems("{kind: redis" + when + "}")).containsExactly("targets.t.url: required");
        assertThat(targetProblems("{kind: directory" + when + "}")).containsExactly("targets.t.path: required");
        assertThat(targetProblems("{kind: command, command: []" + when + "}"))
                .containsExactly("targets.t.command: must not be empty");
        assertThat(targetProblems("{kind: command, command: \"tar c /x\"" + when + "}"))
                .containsExactly("targets.t.command: expected a list such as [\"sh\", \"-c\", \"...\"], got a string");
        assertThat(targetProblems("{kind: command, command: [sh, {a: b}], extension: Tar.GZ" + when + "}"))
                .containsExactly(
                        "targets.t.command[1]: expected a string, got a map",
                        "targets.t.extension: must be 1 to 16 of a-z 0-9, got 'Tar.GZ'");
        assertThat(targetProblems("{kind: directory, path: ., url: \"redis://x\"" + when + "}"))
                .containsExactly("targets.t.url: not used by kind directory");
        assertThat(targetProblems("[kind, directory]"))
                .containsExactly("targets.t: expected a map (kind, schedule, rpo, ...), got a list");
        assertThat(targetProblems("{kind: postgres, database: app, user: no" + when + "}"))
                .containsExactly(
                        "targets.t.user: expected a string, got false (YAML reads yes/no/true/false as booleans; quote it)");
    }

    @Test
    void drillChecksFitTheTargetsKind() throws IOException {
        String t = "{kind: redis, url: \"redis://127.0.0.1:6379\", schedule: \"0 0 * * * ?\", rpo: 2h, drill: %s}";
        TargetConfig ok = load(STORE + "targets:\n  t: "
                        + t.formatted("{schedule: \"0 0 4 * * ?\", rto: 2m, validate: [{keys: \"user:*\", min: 10}]}")
                        + "\n")
                .targets()
                .get("t");
        assertThat(ok.drill().validate()).containsExactly(new Validation(null, "user:*", null, null, 10L, null));
        assertThat(targetProblems(t.formatted(
                        "{schedule: \"61 * * * * ?\", rto: soon, validate: [{sql: \"select 1\", min: 5, max: 2}, 3]}")))
                .containsExactlyInAnyOrder(
                        "targets.t.drill.schedule: bad cron '61 * * * * ?': Minute and Second values must be between 0 and 59",
                        "targets.t.drill.rto: bad duration 'soon' (use e.g. 30s, 5m, 26h, 7d, 1h30m)",
                        "targets.t.drill.validate[0].sql: not used by kind redis",
                        "targets.t.drill.validate[0].keys: required",
                        "targets.t.drill.validate[0].max: must not be below min (5), got 2",
                        "targets.t.drill.validate[1]: expected a map, got a number");
    }

    @Test
    void autoRestoreIsOnlyForPostgres() throws IOException {
        assertThat(targetProblems("{kind: directory, path: ., schedule: \"0 0 * * * ?\", rpo: 2h, autoRestore: true}"))
                .containsExactly(
                        "targets.t.autoRestore: is only supported for kind postgres (it restores to a scratch database first)");
    }

    @Test
    void storeEncryptionIsChecked() throws IOException {
        Files.writeString(dir.resolve("recipients.txt"), "age1" + "q".repeat(58) + "\n");
        LifeboatConfig c = load("storage:\n  primary: {type: filesystem, path: store, encryption: {type: age,"
                + " recipientsFile: recipients.txt, identityFile: key.txt}}\n"
                + "targets:\n  t: {kind: directory, path: ., schedule: \"0 0 * * * ?\", rpo: 2h}\n");
        assertThat(c.primary().encryption())
                .isEqualTo(new EncryptionConfig(
                        "age", List.of(), dir.resolve("recipients.txt"), dir.resolve("key.txt"), null));
        assertThatThrownBy(() -> load("storage:\n  primary: {type: filesystem, path: store, encryption: {type: rot13,"
                        + " recipients: [age1nope], recipientsFile: missing.txt, key: x}}\n"
                        + "targets:\n  t: {kind: directory, path: ., schedule: \"0 0 * * * ?\", rpo: 2h}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.primary.encryption.key: unknown key")
                .hasMessageContaining("storage.primary.encryption.type: unknown type 'rot13' (expected age, openpgp)")
                .hasMessageContaining("storage.primary.encryption.recipientsFile: cannot read");
    }

    @Test
    void aMistypedAgeRecipientIsCaughtByItsChecksum() throws IOException {
        String good = io.lifeboat.crypto.AgeEncryption.generateKeyPair()[1];
        char c = good.charAt(20);
        String mistyped = good.substring(0, 20) + (c == 'q' ? 'p' : 'q') + good.substring(21);
        String yaml =
                "storage:\n  primary: {type: filesystem, path: store, encryption: {type: age, recipients: [%s, %s]}}\n"
                        + TARGET;
        assertThat(load(yaml.formatted(good, good)).primary().encryption().recipients())
                .containsExactly(good, good);
        assertThat(problems(yaml.formatted(good, mistyped)))
                .containsExactly("storage.primary.encryption.recipients[1]: the age recipient has a bad checksum"
                        + " (a character is mistyped, or the key is incomplete)");
    }

    @Test
    void retentionIsChecked() throws IOException {
        String t = "{kind: directory, path: ., schedule: \"0 0 * * * ?\", rpo: 2h, retention: %s}";
        assertThat(load(STORE + "targets:\n  t: " + t.formatted("{daily: 7, last: 2, within: 3d}") + "\n")
                        .targets()
                        .get("t")
                        .retention())
                .isEqualTo(new RetentionPolicy(2, 0, 7, 0, 0, 0, Duration.ofDays(3)));
        assertThat(targetProblems(t.formatted("{daly: 7, weekly: -1, monthly: many, within: forever}")))
                .containsExactly(
                        "targets.t.retention.daly: unknown key; did you mean 'daily'?",
                        "targets.t.retention.weekly: must be between 0 and 1000000, got -1",
                        "targets.t.retention.monthly: expected a whole number, got 'many'",
                        "targets.t.retention.within: bad duration 'forever' (use e.g. 30s, 5m, 26h, 7d, 1h30m)");
        assertThat(targetProblems(t.formatted("[7]")))
                .containsExactly("targets.t.retention: expected a map (key: value lines), got a list");
    }

    @Test
    void unknownKeysAreProblemsWithASuggestion() throws IOException {
        assertThat(problems(STORE + TARGET + "catalogue: {url: x}\nmqtt: {url: \"tcp://x:1883\", prefx: p}\n"
                        + "targets2: {}\n"))
                .containsExactly(
                        "catalogue: unknown key; did you mean 'catalog'?",
                        "targets2: unknown key; did you mean 'targets'?",
                        "mqtt.prefx: unknown key; did you mean 'prefix'?");
        assertThat(targetProblems("{kind: directory, path: ., schedul: \"0 0 * * * ?\", rpo: 2h, colour: red}"))
                .containsExactly(
                        "targets.t.schedul: unknown key; did you mean 'schedule'?",
                        "targets.t.colour: unknown key",
                        "targets.t.schedule: required");
    }

    @Test
    void otherSectionsAreChecked() throws IOException {
        assertThat(problems(STORE + TARGET
                        + "catalog: {url: \"postgres://db/lifeboat\"}\nmqtt: {url: \"mqtt://x\", prefix: \"a/#\"}\n"
                        + "broker: {mqttPort: 0}\ndataDir: [a]\n"))
                .containsExactly(
                        "dataDir: expected a string, got a list",
                        "catalog.url: must be a JDBC url (jdbc:postgresql://host:5432/db), got 'postgres://db/lifeboat'",
                        "mqtt.url: must start with tcp://, ssl://, ws:// or wss://, got 'mqtt://x'",
                        "mqtt.prefix: must be a topic without wildcards (+ #) or leading/trailing /, got 'a/#'",
                        "broker.mqttPort: must be between 1 and 65535, got 0");
    }

    @Test
    void severalProblemsAreAllListedInOneException() throws IOException {
        ConfigException e = failure(
                STORE + "targets:\n"
                        + "  app-db: {kind: mysql, schedule: \"0 0 25 * * ?\", rpo: 1d}\n"
                        + "  cache: {kind: redis, url: \"redis://x\", schedule: \"0 0 * * * ?\", rpo: 1d, password: \"${REDIS_PW}\"}\n");
        assertThat(e.getMessage())
                .isEqualTo(dir.resolve("lifeboat.yaml") + " has 3 problems:\n"
                        + "  - targets.app-db.kind: unknown kind 'mysql' (expected postgres, redis, directory, command)\n"
                        + "  - targets.app-db.schedule: bad cron '0 0 25 * * ?': Hour values must be between 0 and 23\n"
                        + "  - targets.cache.password: environment variable REDIS_PW is not set (nor REDIS_PW_FILE)");
        assertThat(e.problems()).hasSize(3);
    }

    // --- environment interpolation -------------------------------------------------------------

    @Test
    void environmentVariablesDefaultsAndDollarEscapes() throws IOException {
        env.put("DB", "app");
        env.put("EMPTY", "");
        LifeboatConfig c =
                load(STORE + "targets:\n  t: {kind: postgres, database: \"${DB}\", host: \"${PG_HOST:-db.local}\", "
                        + "port: \"${PG_PORT:-6543}\", user: \"${EMPTY:-fallback}\", password: \"pa$$word-$$${DB}-$x\", "
                        + "schedule: \"0 0 * * * ?\", rpo: \"${RPO:-2h}\"}\n");
        TargetConfig t = c.targets().get("t");
        assertThat(t.database()).isEqualTo("app");
        assertThat(t.host()).isEqualTo("db.local");
        assertThat(t.port()).isEqualTo(6543);
        assertThat(t.user()).isEqualTo("fallback");
        assertThat(t.password()).isEqualTo("pa$word-$app-$x");
        assertThat(t.rpo()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void secretFromAFileWhenTheVariableIsUnset() throws IOException {
        Files.writeString(dir.resolve("s3-secret"), "  from-the-file\n");
        env.put("S3_SECRET_FILE", "s3-secret"); // relative: against the config folder
        env.put("S3_ACCESS", "from-env");
        env.put("S3_ACCESS_FILE", "does-not-matter");
        LifeboatConfig c = load("storage:\n  primary: {type: s3, endpoint: \"http://m:9000\", bucket: lifeboat, "
                + "accessKey: \"${S3_ACCESS}\", secretKey: \"${S3_SECRET}\"}\n" + TARGET);
        assertThat(c.primary().secretKey()).isEqualTo("from-the-file");
        assertThat(c.primary().accessKey()).isEqualTo("from-env");

        env.put("S3_SECRET_FILE", dir.resolve("missing").toString());
        assertThat(problems("storage:\n  primary: {type: s3, endpoint: \"http://m:9000\", bucket: lifeboat, "
                        + "accessKey: a, secretKey: \"${S3_SECRET}\"}\n" + TARGET))
                .singleElement()
                .asString()
                .startsWith("storage.primary.secretKey: cannot read the file named by S3_SECRET_FILE (")
                .endsWith("): no such file");
    }

    @Test
    void badReferencesAreProblems() throws IOException {
        assertThat(targetProblems("{kind: directory, path: \"${HOME\", schedule: \"0 0 * * * ?\", rpo: \"${1X}\"}"))
                .containsExactly(
                        "targets.t.rpo: bad variable reference '${1X}' (use ${NAME} or ${NAME:-default}, $$ for a literal $)",
                        "targets.t.path: unterminated ${ (write $$ for a literal $)");
    }

    @Test
    void aSecretValueNeverAppearsInAMessage() throws IOException {
        String secret = "s3cr3t-Value-42";
        env.put("SECRET", secret);
        Files.writeString(dir.resolve("pw"), secret);
        env.put("FROM_FILE_FILE", "pw");
        ConfigException e = failure(
                STORE + "mqtt: {url: \"${SECRET}\", password: \"${SECRET}\"}\n"
                        + "catalog: {url: \"${FROM_FILE}\"}\n"
                        + "targets:\n  t: {kind: redis, url: \"${SECRET}\", schedule: \"${SECRET}\", rpo: \"${FROM_FILE}\", "
                        + "retention: {within: \"${SECRET}\", last: \"${SECRET}\"}, extension: \"${SECRET}\", port: \"${SECRET}\"}\n"
                        + "  u: {kind: command, command: [x], extension: \"${SECRET}\", schedule: \"0 0 * * * ${SECRET}\", rpo: 1h}\n");
        assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(9);
        assertThat(e.getMessage())
                .doesNotContain(secret)
                .contains("'${SECRET}'")
                .contains("'${FROM_FILE}'");
        assertThat(String.valueOf(e.getCause())).doesNotContain(secret);
    }

    @Test
    void recordsPrintWithoutTheirSecrets() throws IOException {
        env.put("SECRET", "s3cr3t-Value-42");
        LifeboatConfig c = load(
                "storage:\n  primary: {type: s3, endpoint: \"http://m:9000\", bucket: lifeboat, accessKey: \"${SECRET}\", "
                        + "secretKey: \"${SECRET}\"}\ncatalog: {url: \"jdbc:h2:mem:x\", password: \"${SECRET}\"}\n"
                        + "mqtt: {password: \"${SECRET}\"}\n"
                        + "targets:\n  t: {kind: postgres, database: d, password: \"${SECRET}\", schedule: \"0 0 * * * ?\", rpo: 1h}\n");
        assertThat(c.toString()).doesNotContain("s3cr3t-Value-42");
    }

    // --- the file itself, and hostile input -----------------------------------------------------

    @Test
    void missingFileNamesThePath() {
        Path file = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(file, env))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + " has 1 problem:\n  - file: not found: " + file.toAbsolutePath()
                        + " (pick another with --config FILE or LIFEBOAT_CONFIG)");
        assertThatThrownBy(() -> ConfigLoader.load(dir, env))
                .hasMessageContaining("file: is a directory, not a config file");
    }

    @Test
    void emptyOrNonMapFile() throws IOException {
        assertThat(problems("")).containsExactly("file: is empty; it needs at least storage.primary and targets");
        assertThat(problems("# only a comment\n"))
                .containsExactly("file: is empty; it needs at least storage.primary and targets");
        assertThat(problems("- a\n- b\n"))
                .containsExactly("file: expected a map of sections at the top level, got a list");
    }

    @Test
    void syntaxErrorIsOneProblemWithLineAndColumnButNotTheLine() throws IOException {
        env.put("X", "x");
        List<String> p = problems(STORE + "targets:\n  t: {kind: directory\n  password: hunter2: oops\n");
        assertThat(p)
                .singleElement()
                .asString()
                .matches("line 5, column \\d+: YAML syntax: .+")
                .doesNotContain("hunter2");
    }

    @Test
    void duplicateKeysAndSecondDocumentsAreProblems() throws IOException {
        assertThat(problems(STORE + TARGET + "dataDir: a\ndataDir: b\n"))
                .singleElement()
                .asString()
                .startsWith("line 6, column")
                .contains("Duplicate field 'dataDir'");
        assertThat(problems(STORE + TARGET + "---\ndataDir: b\n"))
                .containsExactly("line 6, column 1: more than one YAML document (---); put everything in one");
    }

    @Test
    void hugeFileIsRefusedWithoutParsing() throws IOException {
        Path file = dir.resolve("lifeboat.yaml");
        Files.write(file, ("# " + "x".repeat(1000) + "\n").repeat(1100).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ConfigLoader.load(file, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith("file: larger than 1048576 bytes (1 MiB); is this the right file?");
    }

    @Test
    @Timeout(5)
    void aliasBombIsRefused() throws IOException {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            String prev = "*a" + (i - 1);
            yaml.append("a")
                    .append(i)
                    .append(": &a")
                    .append(i)
                    .append(" [")
                    .append(String.join(", ", List.of(prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)))
                    .append("]\n");
        }
        assertThat(problems(yaml.toString()))
                .singleElement()
                .asString()
                .isEqualTo("line 2, column 10: YAML aliases (*name) are not supported; write the value out");
        assertThat(problems(STORE + TARGET + "mqtt: &m {prefix: p}\nhttp: *m\n"))
                .singleElement()
                .asString()
                .endsWith("YAML aliases (*name) are not supported; write the value out");
    }

    @Test
    @Timeout(5)
    void deepNestingIsRefused() throws IOException {
        assertThat(problems("a: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n"))
                .singleElement()
                .asString()
                .contains("line 1")
                .containsIgnoringCase("depth");
        assertThat(problems("a: " + "{b: ".repeat(40) + "1" + "}".repeat(40) + "\n"))
                .singleElement()
                .asString()
                .containsIgnoringCase("depth");
        // 20 levels are read (the problem is the unknown key, not the depth)
        assertThat(problems(STORE + TARGET + "homeassistant: " + "{b: ".repeat(20) + "1" + "}".repeat(20) + "\n"))
                .singleElement()
                .asString()
                .startsWith("homeassistant.b: unknown key");
    }

    @Test
    void nonUtf8BytesAreOneClearProblem() throws IOException {
        Path file = dir.resolve("lifeboat.yaml");
        byte[] head = (STORE + "# caf").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xE9; // latin-1 é
        bytes[head.length + 1] = '\n';
        Files.write(file, bytes);
        assertThatThrownBy(() -> ConfigLoader.load(file, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(
                        "line 3: not valid UTF-8 (byte 0xe9 at offset " + head.length + "); save the file as UTF-8");
    }

    @Test
    void controlCharactersAndBinaryAreProblemsNotExceptions() throws IOException {
        assertThat(problems("a: \"\u0000\"\nb: \u0007\n")).hasSize(1);
        assertThat(problems("a: !!binary foo\n")).hasSize(1);
        assertThat(
                        problems(
                                STORE
                                        + "targets:\n  \"bad\\nname\": {kind: directory, path: ., schedule: \"0 * * * * ?\", rpo: 5m}\n"))
                .containsExactly(
                        "targets.bad?name: bad target name; it must match [a-z0-9][a-z0-9._-]{0,62} (it is a storage prefix)");
    }
}
