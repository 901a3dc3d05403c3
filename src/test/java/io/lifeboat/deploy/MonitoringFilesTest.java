package io.lifeboat.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config/prometheus.yml, config/alert-rules.yml and the Grafana provisioning: their structure, the
 * metric names they use (only ones Lifeboat exports), and, where promtool is installed (Debian's
 * prometheus package), {@code promtool check config}, {@code check rules} and {@code test rules}.
 */
class MonitoringFilesTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path CONFIG = REPO.resolve("config");

    /** The metrics Lifeboat exports (Prometheus names), and the suffixes Prometheus adds to a timer. */
    static final Set<String> LIFEBOAT_METRICS = Set.of(
            "lifeboat_backup_last_verified_timestamp_seconds",
            "lifeboat_backup_duration_seconds",
            "lifeboat_backup_bytes",
            "lifeboat_backup_runs_total",
            "lifeboat_verify_failures_total",
            "lifeboat_rpo_breached",
            "lifeboat_restore_drill_rto_seconds",
            "lifeboat_drill_runs_total",
            "lifeboat_safe_mode",
            "lifeboat_outbox_depth",
            "lifeboat_outbox_replayed_total",
            "lifeboat_alerts_sent_total",
            "lifeboat_input_rejected_total");

    private static final Pattern METRIC = Pattern.compile("\\blifeboat_[a-z_]+");

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesLifeboatsManagementPortAndLoadsTheRules() throws Exception {
        JsonNode p =
                ComposeChecks.YAML.readTree(CONFIG.resolve("prometheus.yml").toFile());
        JsonNode job = null;
        for (JsonNode j : p.path("scrape_configs")) {
            if (j.path("job_name").asText().equals("lifeboat")) {
                job = j;
            }
        }
        assertThat(job)
                .as("a scrape job named lifeboat (the alert LifeboatDown reads up{job=\"lifeboat\"})")
                .isNotNull();
        assertThat(job.path("metrics_path").asText()).isEqualTo("/observe/metrics");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText())
                .isEqualTo("lifeboat:9876");
        // each rule file is where docker-compose.yml mounts config/alert-rules.yml
        String compose = ComposeChecks.read(REPO.resolve("docker-compose.yml"));
        for (JsonNode f : p.path("rule_files")) {
            assertThat(compose).contains("./config/" + Path.of(f.asText()).getFileName() + ":" + f.asText() + ":ro");
        }
        assertThat(p.path("rule_files")).hasSize(1);
    }

    @Test
    void theAlertRulesCoverWhatAnOperatorMustHear() throws Exception {
        Map<String, String> rules = alertRules();
        assertThat(rules)
                .containsKeys(
                        "LifeboatDown",
                        "LifeboatRpoBreached",
                        "LifeboatBackupFailing",
                        "LifeboatVerifyFailures",
                        "LifeboatDrillFailed",
                        "LifeboatOutboxFilling");
        assertThat(rules.get("LifeboatDown")).contains("up{job=\"lifeboat\"} == 0");
        assertThat(rules.get("LifeboatRpoBreached"))
                .contains("lifeboat_rpo_breached")
                .contains("== 1");
        assertThat(rules.get("LifeboatBackupFailing"))
                .contains("increase(lifeboat_backup_runs_total{result=\"failed\"}[")
                .contains("> 0");
        assertThat(rules.get("LifeboatVerifyFailures")).contains("increase(lifeboat_verify_failures_total[");
        assertThat(rules.get("LifeboatDrillFailed")).contains("lifeboat_drill_runs_total{result=\"failed\"}");
        assertThat(rules.get("LifeboatOutboxFilling")).contains("lifeboat_outbox_depth >");
    }

    @Test
    void everyLifeboatMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        String text = Files.readString(CONFIG.resolve("alert-rules.yml"))
                + Files.readString(CONFIG.resolve("grafana/dashboards/lifeboat.json"));
        assertThat(unknownMetrics(text)).isEmpty();
        assertThat(unknownMetrics("increase(lifeboat_backup_failures_total[1h])"))
                .containsExactly("lifeboat_backup_failures_total");
        assertThat(unknownMetrics("lifeboat_backup_duration_seconds_sum / lifeboat_backup_duration_seconds_count"))
                .isEmpty();
    }

    static Set<String> unknownMetrics(String text) {
        Set<String> unknown = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            String name = m.group().replaceAll("_(sum|count|max|bucket)$", "");
            if (!LIFEBOAT_METRICS.contains(name)) {
                unknown.add(m.group());
            }
        }
        return unknown;
    }

    @Test
    void grafanaIsProvisionedWithPrometheusAndTheDashboard() throws Exception {
        Path g = CONFIG.resolve("grafana");
        JsonNode ds = ComposeChecks.YAML
                .readTree(g.resolve("provisioning/datasources/prometheus.yml").toFile())
                .path("datasources")
                .get(0);
        assertThat(ds.path("type").asText()).isEqualTo("prometheus");
        assertThat(ds.path("url").asText()).isEqualTo("http://prometheus:9090");
        JsonNode provider = ComposeChecks.YAML
                .readTree(g.resolve("provisioning/dashboards/lifeboat.yml").toFile())
                .path("providers")
                .get(0);
        // the provider reads the folder docker-compose.yml mounts config/grafana/dashboards on
        String dashboards = provider.path("options").path("path").asText();
        assertThat(ComposeChecks.read(REPO.resolve("docker-compose.yml")))
                .contains("./config/grafana/dashboards:" + dashboards + ":ro");

        JsonNode dash = new ObjectMapper()
                .readTree(g.resolve("dashboards/lifeboat.json").toFile());
        List<String> exprs = new ArrayList<>();
        Set<String> titles = new TreeSet<>();
        for (JsonNode panel : dash.path("panels")) {
            titles.add(panel.path("title").asText());
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asText())
                        .as(panel.path("title").asText())
                        .isEqualTo(ds.path("uid").asText());
            }
            panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
        assertThat(titles)
                .contains(
                        "Last verified backup: age against RPO",
                        "Backup size (stored bytes)",
                        "Backup duration (mean over 1 h)",
                        "Restore drill RTO",
                        "Failures (per hour)",
                        "Outbox depth",
                        "Alert deliveries by receiver and result (per 5 min)");
        assertThat(String.join("\n", exprs))
                .contains("lifeboat_backup_last_verified_timestamp_seconds")
                .contains("lifeboat_rpo_breached")
                .contains("lifeboat_backup_bytes")
                .contains("lifeboat_backup_duration_seconds_sum")
                .contains("lifeboat_restore_drill_rto_seconds")
                .contains("lifeboat_outbox_depth")
                .contains("lifeboat_alerts_sent_total");
    }

    @Test
    void promtoolAcceptsTheConfigTheRulesTheirUnitTestsAndTheDashboardQueries() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        if (promtool.isEmpty()) {
            System.out.println("MonitoringFilesTest: promtool not installed (Debian package prometheus);"
                    + " the structure checks above ran, promtool's did not");
            return;
        }
        Files.copy(CONFIG.resolve("alert-rules.yml"), tmp.resolve("alert-rules.yml"));
        Files.copy(CONFIG.resolve("alert-rules.test.yml"), tmp.resolve("alert-rules.test.yml"));
        // the config names the rules where the container mounts them; here they sit beside it
        Files.writeString(
                tmp.resolve("prometheus.yml"),
                Files.readString(CONFIG.resolve("prometheus.yml"))
                        .replace("/etc/prometheus/alert-rules.yml", "alert-rules.yml"));
        assertThat(run(promtool.get(), "check", "config", "prometheus.yml")).contains("SUCCESS");
        assertThat(run(promtool.get(), "check", "rules", "alert-rules.yml")).contains("SUCCESS");
        assertThat(run(promtool.get(), "test", "rules", "alert-rules.test.yml")).contains("SUCCESS");

        // every dashboard query parses: as recording rules (Grafana's variables replaced)
        JsonNode dash = new ObjectMapper()
                .readTree(CONFIG.resolve("grafana/dashboards/lifeboat.json").toFile());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int[] n = {0};
        for (JsonNode panel : dash.path("panels")) {
            panel.path("targets")
                    .forEach(t -> rules.append("      - record: dashboard:q")
                            .append(n[0]++)
                            .append("\n        expr: '")
                            .append(t.path("expr")
                                    .asText()
                                    .replace("$target", ".*")
                                    .replace("'", "''"))
                            .append("'\n"));
        }
        Files.writeString(tmp.resolve("dashboard-queries.yml"), rules);
        assertThat(run(promtool.get(), "check", "rules", "dashboard-queries.yml"))
                .contains("SUCCESS: " + n[0] + " rules found");
    }

    private String run(Path tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }

    static Optional<Path> onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d, tool))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Map<String, String> alertRules() throws Exception {
        Map<String, String> rules = new LinkedHashMap<>();
        JsonNode r =
                ComposeChecks.YAML.readTree(CONFIG.resolve("alert-rules.yml").toFile());
        for (JsonNode group : r.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("labels").path("severity").asText())
                        .as(rule.path("alert").asText())
                        .isIn("info", "warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
                rules.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return rules;
    }
}
