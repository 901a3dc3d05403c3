package io.lifeboat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.testsupport.Postgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The Quartz tables in a real PostgreSQL: created once when several processes start at once. */
class QuartzClusterIT {

    @Test
    void processesStartingAtOnceCreateTheTablesOnceAndRemovedTargetsLoseTheirSchedule() throws Exception {
        try (Postgres db = Postgres.create("lifeboat_quartz")) {
            LifeboatConfig.CatalogConfig catalog =
                    new LifeboatConfig.CatalogConfig(db.jdbcUrl(), Postgres.USER, Postgres.PASSWORD);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Object>> starts = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    starts.add(pool.submit((Callable<Object>) () -> {
                        QuartzCluster.prepare(catalog, Set.of("files"));
                        return null;
                    }));
                }
                for (Future<Object> f : starts) {
                    f.get(); // none failed on a half-created schema
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(db.query("select count(*) from pg_tables where tablename like 'qrtz_%'"))
                    .containsExactly(List.of(11L));

            for (String name : List.of("files", "gone")) {
                db.execute(
                        "insert into qrtz_job_details values ('lifeboat', '" + name
                                + "', 'lifeboat', null, 'x', false, false, false, false, null)",
                        "insert into qrtz_triggers (sched_name, trigger_name, trigger_group, job_name, job_group,"
                                + " trigger_state, trigger_type, start_time) values ('lifeboat', '" + name
                                + "', 'lifeboat', '" + name + "', 'lifeboat', 'WAITING', 'CRON', 0)",
                        "insert into qrtz_cron_triggers values ('lifeboat', '" + name + "', 'lifeboat', '0 0 2 * * ?',"
                                + " 'UTC')");
            }
            QuartzCluster.prepare(catalog, Set.of("files"));
            assertThat(db.query("select trigger_name from qrtz_triggers")).containsExactly(List.of("files"));
            assertThat(db.query("select job_name from qrtz_job_details")).containsExactly(List.of("files"));
        }
    }
}
