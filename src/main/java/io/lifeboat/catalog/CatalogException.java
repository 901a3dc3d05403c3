package io.lifeboat.catalog;

/** The catalog database could not be reached or refused a statement; the message says which operation. */
public class CatalogException extends RuntimeException {

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
