package io.lifeboat.crypto;

import io.lifeboat.config.EncryptionConfig;
import io.lifeboat.config.StoreConfig;
import io.lifeboat.domain.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Picks the {@link Encryption} a store writes with, and the one a stored backup is read with. */
public final class Encryptions {

    private Encryptions() {}

    /**
     * What new backups in {@code store} are encrypted with ({@link Encryption#NONE} without an
     * encryption section). Reads the recipient keys now: a missing or malformed key file is an
     * {@link IOException} naming the file (and line, for age).
     */
    public static Encryption forStore(StoreConfig store) throws IOException {
        EncryptionConfig e = store.encryption();
        if (e == null) {
            return Encryption.NONE;
        }
        if (EncryptionConfig.AGE.equals(e.type())) {
            List<String> recipients = new ArrayList<>(e.recipients());
            if (e.recipientsFile() != null) {
                recipients.addAll(AgeEncryption.readRecipientsFile(e.recipientsFile()));
            }
            if (recipients.isEmpty()) {
                throw new IOException("age encryption needs at least one recipient (recipients or recipientsFile)");
            }
            try {
                return AgeEncryption.of(recipients, e.identityFile());
            } catch (IllegalArgumentException bad) {
                throw new IOException(bad.getMessage(), bad);
            }
        }
        if (EncryptionConfig.OPENPGP.equals(e.type())) {
            if (e.recipientsFile() == null) {
                throw new IOException("openpgp encryption needs recipientsFile (the armored public key)");
            }
            return OpenPgpEncryption.of(e.recipientsFile(), e.identityFile(), e.passphrase());
        }
        throw new IOException("unknown encryption type '" + e.type() + "' (expected age, openpgp)");
    }

    /**
     * What reads the backup {@code manifest} describes back from {@code store}: its own record of the
     * encryption decides, so a store whose encryption changed still reads its older backups. Messages
     * name the primary store's keys; {@link #forReading(Manifest, StoreConfig, String)} names another.
     */
    public static Encryption forReading(Manifest manifest, StoreConfig store) throws IOException {
        return forReading(manifest, store, "storage.primary");
    }

    /** As {@link #forReading(Manifest, StoreConfig)}, for the store at config path {@code storeKey} ({@code storage.offsite}). */
    public static Encryption forReading(Manifest manifest, StoreConfig store, String storeKey) throws IOException {
        if (!manifest.encrypted()) {
            return Encryption.NONE;
        }
        String type = manifest.encryption();
        if (!EncryptionConfig.AGE.equals(type) && !EncryptionConfig.OPENPGP.equals(type)) {
            throw new IOException("backup " + manifest.id() + " is encrypted with '" + type
                    + "', which this build cannot read (expected age or openpgp)");
        }
        EncryptionConfig e = store.encryption();
        if (e == null || e.identityFile() == null) {
            throw new IOException("backup " + manifest.id() + " is encrypted with " + type + "; set " + storeKey
                    + ".encryption.identityFile to restore it"
                    + (EncryptionConfig.OPENPGP.equals(type) ? " (and passphrase if the secret key has one)" : "")
                    + recipientsNote(manifest));
        }
        if (EncryptionConfig.AGE.equals(type)) {
            return AgeEncryption.of(List.of(), e.identityFile());
        }
        return OpenPgpEncryption.forReading(e.identityFile(), e.passphrase());
    }

    private static String recipientsNote(Manifest manifest) {
        return manifest.recipients().isEmpty()
                ? ""
                : "; it was encrypted to " + String.join(", ", manifest.recipients());
    }
}
