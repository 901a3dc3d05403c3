package io.lifeboat.notify;

import static io.lifeboat.notify.Notices.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.testsupport.HomeAssistantApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Home Assistant's REST API on loopback; the notices wait in the catalog queue (no Redis: the embedded default). */
class HomeAssistantDeliveryIT {

    private static final String TOKEN = "ha-long-lived-token-for-tests";

    @TempDir
    Path dir;

    private HomeAssistantApi ha;
    private Catalog catalog;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Deliveries deliveries;

    @BeforeEach
    void setUp() throws Exception {
        ha = new HomeAssistantApi(TOKEN);
        catalog = Catalog.open(new CatalogConfig(null, null, null), dir);
    }

    @AfterEach
    void tearDown() {
        if (deliveries != null) {
            deliveries.close();
        }
        ha.close();
        catalog.close();
    }

    private void start(String token) {
        ReceiverConfig c = new ReceiverConfig(
                "house",
                "homeassistant",
                ha.url(),
                token,
                List.of(),
                "mobile_app_phone",
                true,
                null,
                Map.of(),
                0,
                Duration.ofSeconds(2));
        NoticeText text = new NoticeText(t -> Optional.empty());
        deliveries = new Deliveries(
                        List.of(new HomeAssistantReceiver(c, HttpClient.newHttpClient(), text, Clock.systemUTC())),
                        new CatalogNoticeStore(catalog),
                        catalog,
                        meters,
                        Clock.systemUTC(),
                        new Deliveries.Settings(10_000, Duration.ofMillis(200), Duration.ofSeconds(1)))
                .start();
    }

    private double counted(String result) {
        var c = meters.find(Deliveries.METER)
                .tag("receiver", "house")
                .tag("result", result)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void notifyAndAPersistentNotificationThatAnUpdateReplacesAndTheResolvedNoticeDismisses() throws Exception {
        start(TOKEN);
        deliveries.submit(Notices.firing("house", "n1", "critical"));
        deliveries.submit(Notices.firing("house", "n2", "critical"));
        deliveries.submit(Notices.resolved("house", "n3"));
        await(20_000, () -> ha.accepted().size() == 6);
        assertThat(ha.accepted())
                .extracting(HomeAssistantApi.Call::service)
                .containsExactly(
                        "notify/mobile_app_phone",
                        "persistent_notification/create",
                        "notify/mobile_app_phone",
                        "persistent_notification/create",
                        "notify/mobile_app_phone",
                        "persistent_notification/dismiss");
        var create1 = ha.accepted().get(1).body();
        var create2 = ha.accepted().get(3).body();
        var dismiss = ha.accepted().get(5).body();
        assertThat(create1.path("notification_id").asText())
                .startsWith("lifeboat_house_")
                .isEqualTo(create2.path("notification_id").asText())
                .isEqualTo(dismiss.path("notification_id").asText());
        assertThat(create1.path("title").asText()).startsWith("CRITICAL BackupFailed on db #n1");
        assertThat(ha.accepted().get(0).body().path("message").asText()).contains("run: ./lifeboat backup db");
    }

    @Test
    void aWrongTokenIsRejectedAndCounted() throws Exception {
        start("not-the-token");
        deliveries.submit(Notices.firing("house", "n1", "warning"));
        await(20_000, () -> counted("rejected") == 1);
        assertThat(ha.accepted()).isEmpty();
        assertThat(ha.calls()).extracting(HomeAssistantApi.Call::answered).containsExactly(401);
        assertThat(deliveries.depth("house")).isZero();
    }

    @Test
    void homeAssistantDownThenUpGetsTheBacklogInOrder() throws Exception {
        int port = ha.port();
        ha.close();
        start(TOKEN);
        for (int i = 1; i <= 5; i++) {
            deliveries.submit(Notices.firing("house", "n" + i, "warning"));
        }
        Thread.sleep(2000);
        assertThat(deliveries.depth("house")).isEqualTo(5);
        ha = new HomeAssistantApi(TOKEN, port);
        await(30_000, () -> ha.accepted().size() == 10);
        assertThat(ha.accepted().stream()
                        .filter(c -> c.service().equals("persistent_notification/create"))
                        .map(c -> c.body().path("title").asText().replaceAll(".*#", ""))
                        .toList())
                .containsExactly("n1", "n2", "n3", "n4", "n5");
    }

    @Test
    void aServerErrorOnTheSecondCallIsRetriedWithoutLosingTheNotice() throws Exception {
        ha.script(200, 503);
        start(TOKEN);
        deliveries.submit(Notices.firing("house", "n1", "warning"));
        await(20_000, () -> ha.accepted().stream().anyMatch(c -> c.service().equals("persistent_notification/create")));
        assertThat(counted("retried")).isGreaterThanOrEqualTo(1);
    }
}
