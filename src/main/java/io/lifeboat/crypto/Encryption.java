package io.lifeboat.crypto;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Encryption at rest of one store, streamed: the backup pipeline writes compressed bytes through
 * {@link #encrypt}, readers (restore, drill, off-site copy) read them back through {@link #decrypt}.
 * The formats are the stock tools' own, so {@code age -d} or {@code gpg -d} open a stored object
 * without Lifeboat.
 */
public interface Encryption {

    /** The manifest's {@code encryption}: {@code none}, {@code age} or {@code openpgp}. */
    String name();

    /** What the stored object's key ends with after {@code .zst}: empty, {@code .age} or {@code .gpg}. */
    String suffix();

    /** Fingerprints of the keys it encrypts to, for the manifest; never key material. */
    List<String> recipients();

    /**
     * Wraps {@code out}: bytes written to the result reach {@code out} encrypted. Closing the result
     * finishes the ciphertext (final chunk, authentication tag) and closes {@code out}.
     */
    OutputStream encrypt(OutputStream out) throws IOException;

    /**
     * Wraps a stored object's stream and yields the plaintext. A wrong key, a missing identity or an
     * altered ciphertext is an {@link IOException} with a message that says which.
     */
    InputStream decrypt(InputStream in) throws IOException;

    /** A store without encryption. */
    Encryption NONE = new Encryption() {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public String suffix() {
            return "";
        }

        @Override
        public List<String> recipients() {
            return List.of();
        }

        @Override
        public OutputStream encrypt(OutputStream out) {
            return new FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }
            };
        }

        @Override
        public InputStream decrypt(InputStream in) {
            return new FilterInputStream(in) {};
        }
    };
}
