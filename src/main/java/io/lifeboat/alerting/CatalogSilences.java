package io.lifeboat.alerting;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.domain.alerting.Matcher;
import io.lifeboat.domain.alerting.Silence;
import io.lifeboat.domain.alerting.SilenceStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Silences in the catalog's {@code silences} table, matchers as JSON ({@code [{"label","op","value"}]}). */
public final class CatalogSilences implements SilenceStore {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogSilences.class);

    private final Catalog catalog;

    public CatalogSilences(Catalog catalog) {
        this.catalog = requireNonNull(catalog, "catalog");
    }

    @Override
    public List<Silence> load(Instant now) {
        List<Silence> out = new ArrayList<>();
        for (Catalog.SilenceRow row : catalog.silences(now)) {
            try {
                out.add(new Silence(
                        row.id(),
                        matchers(row.matchersJson()),
                        row.startsAt(),
                        row.endsAt(),
                        row.createdBy(),
                        row.comment()));
            } catch (RuntimeException e) {
                LOG.warn("silence {} in the catalog cannot be read ({}); ignored", row.id(), e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void save(Silence s) {
        catalog.saveSilence(new Catalog.SilenceRow(
                s.id(), json(s.matchers()), s.startsAt(), s.endsAt(), s.createdBy(), s.comment()));
    }

    static String json(List<Matcher> matchers) {
        List<Map<String, String>> list = new ArrayList<>();
        for (Matcher m : matchers) {
            Map<String, String> x = new LinkedHashMap<>();
            x.put("label", m.label());
            x.put("op", m.op().name());
            x.put("value", m.value());
            list.add(x);
        }
        return Json.text(list);
    }

    static List<Matcher> matchers(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            List<Matcher> out = new ArrayList<>();
            for (JsonNode m : n) {
                out.add(new Matcher(
                        m.get("label").asText(),
                        Matcher.Op.valueOf(m.get("op").asText()),
                        m.get("value").asText()));
            }
            return out;
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("bad matchers: " + e.getMessage(), e);
        }
    }
}
