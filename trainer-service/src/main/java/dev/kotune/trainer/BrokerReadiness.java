package dev.kotune.trainer;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Readiness of the broker link, answered at once from a probe that runs in the background: every
 * {@code kotune.trainer.broker-probe.interval} an admin client asks the broker for its cluster, waiting at most
 * {@code kotune.trainer.broker-probe.timeout}. DOWN (503) while the last probe failed or is older than two intervals
 * plus the timeout; UP (200) once a probe succeeds again. The check itself never talks to the broker, so
 * {@code /q/health/ready} answers within milliseconds during an outage. Thread-safe.
 */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {

    /** The check's name in {@code /q/health/ready}. */
    public static final String NAME = "Kafka broker reachable";

    private static final Logger LOG = Logger.getLogger(BrokerReadiness.class);

    private final String bootstrapServers;
    private final Duration interval;
    private final Duration timeout;
    private ScheduledExecutorService probe;
    private Admin admin;
    private volatile Instant lastSuccess;
    private volatile String lastError = "not probed yet";
    private volatile boolean up;

    public BrokerReadiness(
            @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092") String bootstrapServers,
            TrainerConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.interval = config.brokerProbe().interval();
        this.timeout = config.brokerProbe().timeout();
    }

    void onStart(@Observes StartupEvent event) {
        int millis = (int) timeout.toMillis();
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000,
                AdminClientConfig.CLIENT_ID_CONFIG, "kotune-trainer-readiness"));
        probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kotune-broker-probe");
            t.setDaemon(true);
            return t;
        });
        probe.scheduleWithFixedDelay(this::probeOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (probe != null) {
            probe.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }

    private void probeOnce() {
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes()
                    .get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS)
                    .size();
            lastSuccess = Instant.now();
            if (!up) {
                LOG.infof("broker %s reachable (%d node(s))", bootstrapServers, nodes);
            }
            up = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            lastError = e.getCause() != null ? String.valueOf(e.getCause()) : String.valueOf(e);
            if (up) {
                LOG.warnf("broker %s unreachable: %s", bootstrapServers, lastError);
            }
            up = false;
        }
    }

    @Override
    public HealthCheckResponse call() {
        Instant seen = lastSuccess;
        boolean fresh = seen != null
                && seen.isAfter(Instant.now().minus(interval.multipliedBy(2)).minus(timeout));
        var response = HealthCheckResponse.named(NAME).withData("bootstrap.servers", bootstrapServers);
        if (seen != null) {
            response.withData("last_success", seen.toString());
        }
        if (up && fresh) {
            return response.up().build();
        }
        return response.down().withData("error", lastError).build();
    }
}
