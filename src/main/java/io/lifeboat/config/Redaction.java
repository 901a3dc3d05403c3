package io.lifeboat.config;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * Every secret value the config holds (tokens, passwords, keys, the password part of a URL), so
 * that every log line can be cleaned of them ({@link io.lifeboat.logging.RedactingMessageConverter}):
 * a library that logs a connection URL or a request it failed to send then shows {@code <redacted>}
 * where the secret was. Filled while the config loads; values shorter than {@link #MIN_LENGTH} are
 * not taken (they would blank out ordinary words).
 */
public final class Redaction {

    public static final String MASK = "<redacted>";
    static final int MIN_LENGTH = 6;

    /** Config keys whose value is a secret, wherever they appear. */
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(password|passphrase|token|secret|secretkey|accesskey|apikey|authorization)");

    private static final Set<String> VALUES = new CopyOnWriteArraySet<>();

    private Redaction() {}

    /** Takes {@code value} if {@code field} names a secret, or is a URL with a password in it. */
    static void noteField(String field, String value) {
        if (value == null) {
            return;
        }
        String key = field.substring(field.lastIndexOf('.') + 1);
        if (SECRET_KEY.matcher(key).matches()) {
            add(value);
        } else if (value.contains("@") && value.contains("://")) {
            try {
                String userInfo = URI.create(value.strip()).getRawUserInfo();
                if (userInfo != null && userInfo.indexOf(':') >= 0) {
                    add(userInfo.substring(userInfo.indexOf(':') + 1));
                }
            } catch (IllegalArgumentException notAUri) {
                // not a URL: nothing to take
            }
        }
    }

    /** Takes a secret value (e.g. a header value the config marks as sensitive). */
    public static void add(String value) {
        if (value != null && value.length() >= MIN_LENGTH) {
            VALUES.add(value);
        }
    }

    /** {@code text} with every known secret replaced by {@link #MASK}. */
    public static String redact(String text) {
        if (text == null || VALUES.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : VALUES) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        return out;
    }
}
