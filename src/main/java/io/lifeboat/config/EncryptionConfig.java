package io.lifeboat.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A store's {@code encryption}. {@code type: age}: {@code recipients} (age1… public keys, inline)
 * and/or {@code recipientsFile} (one per line, as {@code age -R} reads), {@code identityFile} (the
 * AGE-SECRET-KEY file; needed only to restore, drill or copy off-site). {@code type: openpgp}:
 * {@code recipientsFile} is an armored public key (ring), {@code identityFile} the armored secret key
 * and {@code passphrase} its passphrase. Keys live in files; the manifest records only fingerprints.
 */
public record EncryptionConfig(
        String type, List<String> recipients, Path recipientsFile, Path identityFile, String passphrase) {

    public static final String AGE = "age";
    public static final String OPENPGP = "openpgp";

    public EncryptionConfig {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    @Override
    public String toString() {
        return "EncryptionConfig[" + type + ", recipients=" + recipients + ", recipientsFile=" + recipientsFile
                + ", identityFile=" + identityFile + "]";
    }
}
