package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Validation;

/** How one check went: the number it measured (null if it could not), and what to tell a person. */
public record ValidationResult(Validation check, boolean ok, Long value, String detail) {
    public ValidationResult {
        requireNonNull(check, "check");
        requireNonNull(detail, "detail");
    }
}
