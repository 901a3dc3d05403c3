package io.lifeboat.homeassistant;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig.HomeAssistantConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Home Assistant MQTT discovery messages for one Lifeboat instance: one device, and per target a last
 * verified backup sensor (timestamp), a size sensor, a problem binary sensor (last run failed or RPO
 * breached) and a "Back up now" button; for Lifeboat itself a Safe Mode binary sensor, a Resume button
 * and an outbox depth sensor. Every entity has a {@code unique_id} and follows {@code <prefix>/status}
 * (online, and the last will offline). Plain Java: the routes publish what this builds.
 */
public final class Discovery {

    /** One retained config message: its topic (absolute) and JSON payload. */
    public record Message(String topic, String payload) {}

    private final HomeAssistantConfig ha;
    private final String prefix;
    private final String version;

    /**
     * @param prefix Lifeboat's MQTT prefix (its state and command topics)
     * @param version Lifeboat's version, shown on the device
     */
    public Discovery(HomeAssistantConfig ha, String prefix, String version) {
        this.ha = requireNonNull(ha, "ha");
        this.prefix = requireNonNull(prefix, "prefix");
        this.version = version == null ? "dev" : version;
    }

    public List<Message> messages(List<String> targets) {
        List<Message> out = new ArrayList<>();
        for (String t : targets) {
            String state = prefix + "/backup/" + t + "/state";
            String id = t.replaceAll("[^A-Za-z0-9_]", "_");
            Map<String, Object> last = entity(id + "_last_verified", t + " last verified backup");
            last.put("state_topic", state);
            last.put("value_template", "{{ value_json.lastVerifiedAt }}");
            last.put("device_class", "timestamp");
            out.add(message("sensor", id + "_last_verified", last));

            Map<String, Object> size = entity(id + "_size", t + " backup size");
            size.put("state_topic", state);
            size.put("value_template", "{{ value_json.storedBytes }}");
            size.put("unit_of_measurement", "B");
            size.put("device_class", "data_size");
            size.put("state_class", "measurement");
            out.add(message("sensor", id + "_size", size));

            Map<String, Object> problem = entity(id + "_problem", t + " backup problem");
            problem.put("state_topic", state);
            problem.put(
                    "value_template",
                    "{{ 'ON' if value_json.rpoState == 'breached' or value_json.lastRunResult == 'failed' else 'OFF' }}");
            problem.put("payload_on", "ON");
            problem.put("payload_off", "OFF");
            problem.put("device_class", "problem");
            out.add(message("binary_sensor", id + "_problem", problem));

            Map<String, Object> button = entity(id + "_backup_now", "Back up " + t + " now");
            button.put("command_topic", prefix + "/cmd/backup");
            // a request id per press: a second press is a second backup, not a duplicate of the first
            button.put(
                    "command_template",
                    "{\"target\":\"" + t + "\",\"reason\":\"Home Assistant button\",\"requestId\":\"ha-" + t
                            + "-{{ now().timestamp() }}\"}");
            button.put("icon", "mdi:backup-restore");
            out.add(message("button", id + "_backup_now", button));
        }
        Map<String, Object> safe = entity("safe_mode", "Lifeboat Safe Mode");
        safe.put("state_topic", prefix + "/safe_mode");
        safe.put("payload_on", "ON");
        safe.put("payload_off", "OFF");
        safe.put("device_class", "safety");
        out.add(message("binary_sensor", "safe_mode", safe));

        Map<String, Object> resume = entity("resume", "Lifeboat resume from Safe Mode");
        resume.put("command_topic", prefix + "/cmd/safe-mode");
        // the token comes from a Home Assistant entity when the button is pressed: never in this retained message
        resume.put(
                "command_template",
                "{\"action\":\"resume\",\"reason\":\"Home Assistant button\",\"token\":\"{{ states('"
                        + ha.resumeTokenEntity() + "') }}\"}");
        resume.put("icon", "mdi:lifebuoy");
        out.add(message("button", "resume", resume));

        Map<String, Object> depth = entity("outbox_depth", "Lifeboat outbox depth");
        depth.put("state_topic", prefix + "/stats");
        depth.put("value_template", "{{ value_json.outboxDepth }}");
        depth.put("state_class", "measurement");
        depth.put("unit_of_measurement", "messages");
        out.add(message("sensor", "outbox_depth", depth));
        return out;
    }

    /** The topics of every entity of these targets (to clear the ones of a removed target). */
    public List<String> topics(List<String> targets) {
        return messages(targets).stream().map(Message::topic).toList();
    }

    private Map<String, Object> entity(String objectId, String name) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("unique_id", "lifeboat_" + ha.nodeId() + "_" + objectId);
        e.put("object_id", "lifeboat_" + ha.nodeId() + "_" + objectId);
        e.put("availability_topic", prefix + "/status");
        e.put("payload_available", "online");
        e.put("payload_not_available", "offline");
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("identifiers", List.of("lifeboat_" + ha.nodeId()));
        device.put("name", "Lifeboat (" + ha.nodeId() + ")");
        device.put("manufacturer", "Lifeboat");
        device.put("model", "Lifeboat");
        device.put("sw_version", version);
        e.put("device", device);
        e.put("origin", Map.of("name", "Lifeboat", "sw_version", version));
        return e;
    }

    private Message message(String component, String objectId, Map<String, Object> payload) {
        return new Message(
                ha.prefix() + "/" + component + "/" + ha.nodeId() + "/" + objectId + "/config", Json.text(payload));
    }
}
