package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.domain.HealthEvent.Rejected;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A backup command from {@code <prefix>/cmd/backup}: {@code {"target":"…","reason":"…","requestId":"…"}}.
 * {@code requestId} (optional) makes a re-sent command one job; without it, identical commands close
 * together are coalesced.
 */
public record BackupCommand(String target, String reason, String requestId) {

    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final int MAX_REASON = 500;

    public BackupCommand {
        requireNonNull(target, "target");
    }

    /** Either a command or why it was refused. */
    public sealed interface Parsed permits Ok, Bad {}

    public record Ok(BackupCommand command) implements Parsed {}

    public record Bad(Rejected rejected) implements Parsed {}

    public static Parsed parse(byte[] payload, int maxBytes, Set<String> targets) {
        Payloads.Obj o =
                Payloads.object(payload, maxBytes, "{\"target\":\"app-db\",\"reason\":\"…\",\"requestId\":\"…\"}");
        if (o instanceof Payloads.Bad b) {
            return new Bad(b.rejected());
        }
        JsonNode node = ((Payloads.ObjOk) o).node();
        try {
            String target = Payloads.requiredString(node, "target");
            if (!Payloads.NAME.matcher(target).matches()) {
                return new Bad(new Rejected(
                        "bad_target", "\"target\" is not a target name: '" + Payloads.printable(target) + "'"));
            }
            if (!targets.contains(target)) {
                return new Bad(new Rejected(
                        "unknown_target",
                        "no target named '" + target + "' (known: "
                                + String.join(", ", targets.stream().sorted().toList()) + ")"));
            }
            String reason = Payloads.optionalString(node, "reason");
            if (reason != null && reason.length() > MAX_REASON) {
                reason = reason.substring(0, MAX_REASON) + "…";
            }
            String requestId = Payloads.optionalString(node, "requestId");
            if (requestId != null && !REQUEST_ID.matcher(requestId).matches()) {
                return new Bad(new Rejected(
                        "bad_field",
                        "\"requestId\" must be 1-128 letters, digits or . _ : @ -, got '"
                                + Payloads.printable(requestId) + "'"));
            }
            return new Ok(new BackupCommand(target, reason, requestId));
        } catch (Payloads.Invalid e) {
            return new Bad(e.rejected());
        }
    }
}
