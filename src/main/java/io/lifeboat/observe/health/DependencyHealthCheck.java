package io.lifeboat.observe.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness check of one thing Lifeboat's configuration needs (a broker, Redis, a store, the
 * catalog). Never a liveness check: a broker that is down is a reason not to route traffic to
 * Lifeboat, not to restart it, so {@code /observe/health/live} stays up through outages. A probe gets
 * {@link #TIMEOUT} to answer; one that hangs is reported down, and the endpoint still answers.
 */
public abstract class DependencyHealthCheck extends AbstractHealthCheck {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static final ExecutorService PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lifeboat-health-probe");
        t.setDaemon(true);
        return t;
    });

    protected DependencyHealthCheck(String id) {
        super("lifeboat", id);
    }

    /**
     * Checks the dependency once and returns what was found for an operator ("connected", "3
     * messages wait"), or throws with what is wrong. The message must not carry a secret.
     */
    protected abstract String probe() throws Exception;

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Future<String> answer = PROBES.submit(this::probe);
        try {
            String detail = answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            builder.up().detail("detail", detail);
        } catch (TimeoutException e) {
            answer.cancel(true);
            builder.down().message(getId() + ": no answer within " + TIMEOUT.toSeconds() + "s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            builder.down().message(getId() + ": " + describe(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().message(getId() + ": interrupted");
        }
    }

    /** The failure in one line, without a stack trace (the response goes to whoever asks). */
    static String describe(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
        text = text.replaceAll("\\s+", " ").strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
