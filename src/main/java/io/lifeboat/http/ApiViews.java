package io.lifeboat.http;

/**
 * What the read-only endpoints show, built by the same code as the command line so the two never
 * differ: {@code GET /api/status} is {@code ./lifeboat status --json}, {@code GET /api/backups} is
 * {@code ./lifeboat list --json}. Bound in the Camel registry as {@value #BEAN}.
 */
public interface ApiViews {

    String BEAN = "apiViews";

    /** The JSON value {@code ./lifeboat status --json} prints: {@code {"targets":[…]}}. */
    Object status() throws Exception;

    /** The JSON value {@code ./lifeboat list [TARGET] --json} prints; every target when {@code target} is null. */
    Object backups(String target) throws Exception;
}
