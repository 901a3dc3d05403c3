package io.lifeboat.observe.health;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.Catalog;

/** {@code catalog}: whether the catalog (PostgreSQL or the embedded database) answers a query. */
public final class CatalogHealthCheck extends DependencyHealthCheck {

    private final Catalog catalog;

    public CatalogHealthCheck(Catalog catalog) {
        super("catalog");
        this.catalog = requireNonNull(catalog, "catalog");
    }

    @Override
    protected String probe() {
        boolean safeMode = catalog.safeMode().map(Catalog.SafeModeChange::on).orElse(false);
        return "answering; Safe Mode " + (safeMode ? "on" : "off");
    }
}
