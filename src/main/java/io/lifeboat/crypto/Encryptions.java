package io.lifeboat.crypto;

import io.lifeboat.config.EncryptionConfig;
import io.lifeboat.config.StoreConfig;
import io.lifeboat.domain.Manifest;
import java.io.IOException;

/** Picks the {@link Encryption} a store writes with, and the one a stored backup is read with. */
public final class Encryptions {

    private Encryptions() {}

    /** What new backups in {@code store} are encrypted with ({@link Encryption#NONE} without an encryption section). */
    public static Encryption forStore(StoreConfig store) throws IOException {
        EncryptionConfig e = store.encryption();
        if (e == null) {
            return Encryption.NONE;
        }
        throw new IOException("encryption type " + e.type() + " is not available yet");
    }

    /**
     * What reads the backup {@code manifest} describes back from {@code store}: its own record of the
     * encryption decides, so a store whose encryption changed still reads its older backups.
     */
    public static Encryption forReading(Manifest manifest, StoreConfig store) throws IOException {
        if (!manifest.encrypted()) {
            return Encryption.NONE;
        }
        throw new IOException("backup " + manifest.id() + " is encrypted with " + manifest.encryption()
                + ", which this build cannot read yet");
    }
}
