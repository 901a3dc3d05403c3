package io.lifeboat.homeassistant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig.HomeAssistantConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The discovery messages carry what Home Assistant's MQTT integration requires of each component. */
class DiscoveryTest {

    private static final Map<String, List<String>> REQUIRED = Map.of(
            "sensor", List.of("state_topic"),
            "binary_sensor", List.of("state_topic"),
            "button", List.of("command_topic"));

    private final Discovery discovery = new Discovery(
            new HomeAssistantConfig(true, "homeassistant", "home", "input_text.lifeboat_resume_token"),
            "lifeboat",
            "1.2.3");

    @Test
    void everyEntityHasItsRequiredKeysAUniqueIdTheDeviceAndAvailability() throws Exception {
        List<Discovery.Message> messages = discovery.messages(List.of("app-db", "cache"));
        assertThat(messages).hasSize(2 * 4 + 3);
        Set<String> ids = new HashSet<>();
        for (Discovery.Message m : messages) {
            String[] t = m.topic().split("/");
            assertThat(t).hasSize(5);
            assertThat(t[0]).isEqualTo("homeassistant");
            assertThat(t[2]).isEqualTo("home");
            assertThat(t[4]).isEqualTo("config");
            JsonNode p = Json.MAPPER.readTree(m.payload());
            for (String key : REQUIRED.get(t[1])) {
                assertThat(p.path(key).asText()).as(m.topic() + " " + key).isNotBlank();
            }
            assertThat(ids.add(p.path("unique_id").asText()))
                    .as("unique " + p.path("unique_id"))
                    .isTrue();
            assertThat(p.path("unique_id").asText()).startsWith("lifeboat_home_");
            assertThat(p.path("device").path("identifiers").get(0).asText()).isEqualTo("lifeboat_home");
            assertThat(p.path("device").path("sw_version").asText()).isEqualTo("1.2.3");
            assertThat(p.path("availability_topic").asText()).isEqualTo("lifeboat/status");
            assertThat(p.path("payload_available").asText()).isEqualTo("online");
            assertThat(p.path("payload_not_available").asText()).isEqualTo("offline");
        }
    }

    @Test
    void theTargetEntitiesReadTheRetainedStateAndTheButtonsSendCommandsLifeboatReads() throws Exception {
        Map<String, JsonNode> byTopic = new java.util.HashMap<>();
        for (Discovery.Message m : discovery.messages(List.of("app-db"))) {
            byTopic.put(m.topic(), Json.MAPPER.readTree(m.payload()));
        }
        JsonNode last = byTopic.get("homeassistant/sensor/home/app_db_last_verified/config");
        assertThat(last.path("state_topic").asText()).isEqualTo("lifeboat/backup/app-db/state");
        assertThat(last.path("device_class").asText()).isEqualTo("timestamp");
        assertThat(last.path("value_template").asText()).contains("lastVerifiedAt");
        JsonNode size = byTopic.get("homeassistant/sensor/home/app_db_size/config");
        assertThat(size.path("device_class").asText()).isEqualTo("data_size");
        JsonNode problem = byTopic.get("homeassistant/binary_sensor/home/app_db_problem/config");
        assertThat(problem.path("device_class").asText()).isEqualTo("problem");
        assertThat(problem.path("value_template").asText()).contains("rpoState").contains("lastRunResult");
        JsonNode button = byTopic.get("homeassistant/button/home/app_db_backup_now/config");
        assertThat(button.path("command_topic").asText()).isEqualTo("lifeboat/cmd/backup");
        assertThat(button.path("command_template").asText())
                .contains("\"target\":\"app-db\"")
                .contains("now()");
        JsonNode resume = byTopic.get("homeassistant/button/home/resume/config");
        assertThat(resume.path("command_topic").asText()).isEqualTo("lifeboat/cmd/safe-mode");
        assertThat(resume.path("command_template").asText())
                .contains("\"action\":\"resume\"")
                .contains("states('input_text.lifeboat_resume_token')");
        JsonNode safe = byTopic.get("homeassistant/binary_sensor/home/safe_mode/config");
        assertThat(safe.path("state_topic").asText()).isEqualTo("lifeboat/safe_mode");
        JsonNode depth = byTopic.get("homeassistant/sensor/home/outbox_depth/config");
        assertThat(depth.path("state_topic").asText()).isEqualTo("lifeboat/stats");
    }

    @Test
    void noSecretIsInAnyRetainedMessage() {
        for (Discovery.Message m : discovery.messages(List.of("app-db"))) {
            assertThat(m.payload()).doesNotContainIgnoringCase("password").doesNotContain("\"token\":\"s");
        }
    }
}
