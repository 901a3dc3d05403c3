package io.lifeboat.domain.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Alert;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher, as Alertmanager has them: {@code label = value}, {@code !=}, {@code =~} (a regular
 * expression that must match the whole value) and {@code !~}. A label the alert does not carry reads as
 * the empty string. The alert's severity reads as the label {@code severity}.
 */
public final class Matcher {

    public enum Op {
        EQ("="),
        NE("!="),
        RE("=~"),
        NRE("!~");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    private final String label;
    private final Op op;
    private final String value;
    private final Pattern pattern;

    public Matcher(String label, Op op, String value) {
        this.label = requireNonNull(label, "label");
        this.op = requireNonNull(op, "op");
        this.value = requireNonNull(value, "value");
        if (label.isBlank()) {
            throw new IllegalArgumentException("a matcher needs a label name");
        }
        if (op == Op.RE || op == Op.NRE) {
            try {
                this.pattern = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "'" + value + "' is not a regular expression: " + e.getDescription(), e);
            }
        } else {
            this.pattern = null;
        }
    }

    public static Matcher eq(String label, String value) {
        return new Matcher(label, Op.EQ, value);
    }

    public static Matcher re(String label, String regex) {
        return new Matcher(label, Op.RE, regex);
    }

    public String label() {
        return label;
    }

    public Op op() {
        return op;
    }

    public String value() {
        return value;
    }

    public boolean matches(Alert alert) {
        return matches(labels(alert));
    }

    public boolean matches(Map<String, String> labels) {
        String v = labels.getOrDefault(label, "");
        return switch (op) {
            case EQ -> v.equals(value);
            case NE -> !v.equals(value);
            case RE -> pattern.matcher(v).matches();
            case NRE -> !pattern.matcher(v).matches();
        };
    }

    /** The labels matchers see: the alert's own, plus {@code severity} unless the alert sets it itself. */
    public static Map<String, String> labels(Alert alert) {
        if (alert.labels().containsKey("severity")) {
            return alert.labels();
        }
        java.util.HashMap<String, String> all = new java.util.HashMap<>(alert.labels());
        all.put("severity", alert.severity());
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matcher m && m.label.equals(label) && m.op == op && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, op, value);
    }

    @Override
    public String toString() {
        return label + op.symbol + "\"" + value + "\"";
    }
}
