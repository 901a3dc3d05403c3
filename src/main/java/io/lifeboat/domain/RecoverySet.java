package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One backup of every target taken at nearly the same moment, so a whole stack can be restored to
 * one point: {@code sets/<set-id>/set.json}. The id sorts by time like backup ids. Each member names
 * the verified backup of its target, or why there is none.
 */
public record RecoverySet(int formatVersion, String id, Instant createdAt, Instant finishedAt, List<Member> members) {

    public static final int FORMAT_VERSION = 1;
    private static final Pattern TARGET = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    public RecoverySet {
        if (formatVersion < 1) {
            throw new IllegalArgumentException("formatVersion must be >= 1");
        }
        requireNonNull(id, "id");
        if (!BackupId.isValid(id)) {
            throw new IllegalArgumentException(
                    "not a recovery set id: '" + id + "' (expected like 20261123T173600Z-3fa9c1)");
        }
        requireNonNull(createdAt, "createdAt");
        requireNonNull(members, "members");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a recovery set needs at least one member");
        }
        members = List.copyOf(members);
        Set<String> seen = new HashSet<>();
        for (Member m : members) {
            requireNonNull(m, "member");
            if (!seen.add(m.target())) {
                throw new IllegalArgumentException("target '" + m.target() + "' is in the set twice");
            }
        }
    }

    /** A new set id for a set started at {@code start}: the same shape as backup ids, so sets sort by time. */
    public static String newId(Instant start) {
        return BackupId.at(start).value();
    }

    /** Whether every member is a verified backup. */
    public boolean complete() {
        return members.stream().allMatch(Member::ok);
    }

    public long verifiedCount() {
        return members.stream().filter(Member::ok).count();
    }

    /**
     * One target's part of the set: {@code backupId} of its verified backup, or {@code error} saying why
     * there is none (then {@code backupId} is null).
     */
    public record Member(String target, String backupId, String error) {
        public Member {
            requireNonNull(target, "target");
            if (!TARGET.matcher(target).matches()) {
                throw new IllegalArgumentException("not a target name: '" + target + "'");
            }
            if (backupId != null && !BackupId.isValid(backupId)) {
                throw new IllegalArgumentException("member " + target + ": not a backup id: '" + backupId + "'");
            }
            if (backupId == null && (error == null || error.isBlank())) {
                throw new IllegalArgumentException("member " + target + " needs a backupId or an error");
            }
            if (backupId != null && error != null) {
                throw new IllegalArgumentException("member " + target + " has both a backupId and an error");
            }
        }

        public static Member verified(String target, String backupId) {
            return new Member(target, requireNonNull(backupId, "backupId"), null);
        }

        public static Member failed(String target, String error) {
            return new Member(target, null, error);
        }

        public boolean ok() {
            return backupId != null;
        }
    }
}
