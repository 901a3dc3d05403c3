package io.lifeboat.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The backup and Safe Mode command parsers: what they accept, and the reason for everything else. */
class InboundCommandsTest {

    private static final Set<String> TARGETS = Set.of("app-db", "files");

    private static String backupReason(String payload) {
        return ((BackupCommand.Bad) BackupCommand.parse(payload.getBytes(UTF_8), 1024, TARGETS))
                .rejected()
                .reason();
    }

    private static String safeModeReason(byte[] payload) {
        return ((SafeModeRequest.Bad) SafeModeRequest.parse(payload, 1024))
                .rejected()
                .reason();
    }

    @Test
    void aBackupCommandNamesAKnownTarget() {
        BackupCommand c = ((BackupCommand.Ok) BackupCommand.parse(
                        "{\"target\":\"app-db\",\"reason\":\"before upgrade\",\"requestId\":\"r-1\"}".getBytes(UTF_8),
                        1024,
                        TARGETS))
                .command();
        assertThat(c).isEqualTo(new BackupCommand("app-db", "before upgrade", "r-1"));
        assertThat(((BackupCommand.Ok) BackupCommand.parse("{\"target\":\"files\"}".getBytes(UTF_8), 1024, TARGETS))
                        .command()
                        .requestId())
                .isNull();
    }

    @Test
    void badBackupCommandsSayWhy() {
        assertThat(backupReason("{\"target\":\"nope\"}")).isEqualTo("unknown_target");
        assertThat(backupReason("{\"target\":\"../etc\"}")).isEqualTo("bad_target");
        assertThat(backupReason("{\"target\":42}")).isEqualTo("wrong_type");
        assertThat(backupReason("{\"reason\":\"x\"}")).isEqualTo("missing_field");
        assertThat(backupReason("{\"target\":\"files\",\"requestId\":\"a b\"}")).isEqualTo("bad_field");
        assertThat(backupReason("{\"target\":\"files\",\"reason\":[1]}")).isEqualTo("wrong_type");
        assertThat(backupReason("[\"files\"]")).isEqualTo("not_json");
        assertThat(backupReason("files")).isEqualTo("not_json");
        assertThat(backupReason("")).isEqualTo("empty");
        assertThat(backupReason("{\"target\":\"" + "x".repeat(2000) + "\"}")).isEqualTo("too_large");
        assertThat(((BackupCommand.Bad) BackupCommand.parse(new byte[] {'{', (byte) 0xc3, '}'}, 1024, TARGETS))
                        .rejected()
                        .reason())
                .isEqualTo("not_utf8");
    }

    @Test
    void aSafeModeRequestNeverShowsItsToken() {
        SafeModeRequest r = ((SafeModeRequest.Ok) SafeModeRequest.parse(
                        "{\"action\":\"resume\",\"token\":\"hunter2-secret\",\"by\":\"alice\\u0007\"}".getBytes(UTF_8),
                        1024))
                .request();
        assertThat(r.action()).isEqualTo("resume");
        assertThat(r.token()).isEqualTo("hunter2-secret");
        assertThat(r.by()).isEqualTo("alice?");
        assertThat(r.toString()).doesNotContain("hunter2");
    }

    @Test
    void badSafeModeRequestsSayWhy() {
        assertThat(safeModeReason("{\"action\":\"explode\"}".getBytes(UTF_8))).isEqualTo("unknown_action");
        assertThat(safeModeReason("{\"action\":true}".getBytes(UTF_8))).isEqualTo("wrong_type");
        assertThat(safeModeReason("{\"reason\":\"x\"}".getBytes(UTF_8))).isEqualTo("missing_field");
        assertThat(safeModeReason("{\"action\":\"resume\",\"token\":123}".getBytes(UTF_8)))
                .isEqualTo("wrong_type");
        assertThat(safeModeReason(new byte[] {(byte) 0xff, (byte) 0xfe})).isEqualTo("not_utf8");
    }
}
