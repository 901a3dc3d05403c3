package io.lifeboat.alerting;

import io.lifeboat.catalog.BackupRow;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.events.EventSink;
import io.lifeboat.notify.CatalogNoticeStore;
import io.lifeboat.notify.Deliveries;
import io.lifeboat.notify.FailoverNoticeStore;
import io.lifeboat.notify.HomeAssistantReceiver;
import io.lifeboat.notify.MqttReceiver;
import io.lifeboat.notify.NoticeStore;
import io.lifeboat.notify.NoticeText;
import io.lifeboat.notify.Receiver;
import io.lifeboat.notify.RedisNoticeStore;
import io.lifeboat.notify.TelegramReceiver;
import io.lifeboat.notify.WebhookReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.ProducerTemplate;

/** Builds the daemon's alert fan-out from the config: receivers, their queues, the routing tree. */
public final class AlertingSetup {

    private AlertingSetup() {}

    /** The routing and its deliveries (not started: {@link Deliveries#start} once Camel runs). */
    public record Parts(AlertRouting routing, Deliveries deliveries) {}

    public static Parts open(
            LifeboatConfig config,
            Catalog catalog,
            EventSink sink,
            MeterRegistry meters,
            Clock clock,
            ProducerTemplate template) {
        LifeboatConfig.AlertingConfig a = config.alerting();
        if (!a.routed()) {
            return new Parts(new AlertRouting(a, new CatalogSilences(catalog), null, clock), null);
        }
        NoticeText text = new NoticeText(t -> catalog.latestVerified(t).map(BackupRow::finishedAt));
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(5))
                .build();
        List<Receiver> receivers = new ArrayList<>();
        for (ReceiverConfig r : a.receivers().values()) {
            receivers.add(
                    switch (r.type()) {
                        case "telegram" -> new TelegramReceiver(r, template, text, clock);
                        case "homeassistant" -> new HomeAssistantReceiver(r, http, text, clock);
                        case "webhook" -> new WebhookReceiver(r, http);
                        case "mqtt" -> new MqttReceiver(r, sink);
                        default -> throw new IllegalArgumentException("unknown receiver type " + r.type());
                    });
        }
        NoticeStore store = new CatalogNoticeStore(catalog);
        if (config.redis() != null) {
            store = new FailoverNoticeStore(
                    new RedisNoticeStore(config.redis().url(), config.redis().stream()), (CatalogNoticeStore) store);
        }
        Deliveries deliveries = new Deliveries(receivers, store, catalog, meters, clock, Deliveries.Settings.DEFAULT);
        return new Parts(new AlertRouting(a, new CatalogSilences(catalog), deliveries, clock), deliveries);
    }
}
