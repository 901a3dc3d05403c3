package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.Catalog;
import java.util.Optional;

/** Notices in the catalog's {@code notice_queue} table: the embedded default, and the fallback while Redis is down. */
public final class CatalogNoticeStore implements NoticeStore {

    private final Catalog catalog;

    public CatalogNoticeStore(Catalog catalog) {
        this.catalog = requireNonNull(catalog, "catalog");
    }

    @Override
    public void append(String receiver, String lane, long seq, String payload) {
        catalog.enqueueNotice(receiver, lane, seq, payload);
    }

    @Override
    public Optional<Entry> head(String receiver, String lane) {
        return catalog.queuedNotices(receiver, lane, 1).stream()
                .findFirst()
                .map(q -> new Entry("db:" + q.entryId(), q.seq(), q.payload()));
    }

    @Override
    public void remove(String receiver, String lane, Entry entry) {
        catalog.dequeueNotice(Long.parseLong(entry.ref().substring(3)));
    }

    @Override
    public long length(String receiver, String lane) {
        return catalog.queuedNotices(receiver, lane, 100_000).size();
    }
}
