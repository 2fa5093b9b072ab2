package dev.kotune.broker;

import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.StandardMBean;

/**
 * The MBean behind {@link SharedKafkaBroker}: holds the JVM's shared {@link KafkaBroker}, started lazily with the
 * default options and restarted if its JVM died.
 *
 * <p>Thread-safe (synchronized).
 */
final class SharedBrokerHolder implements SharedKafkaBrokerMBean {

    private KafkaBroker broker;
    private boolean retainedUntilJvmExit;

    private SharedBrokerHolder() {}

    /**
     * Registers a holder unless one is registered already. {@link SharedKafkaBroker} calls this reflectively on the
     * copy of this class in the system class loader when there is one, so that the broker's code never belongs to a
     * class loader that a test framework closes before the JVM ends.
     */
    static void register() throws JMException {
        try {
            ManagementFactory.getPlatformMBeanServer()
                    .registerMBean(
                            new StandardMBean(new SharedBrokerHolder(), SharedKafkaBrokerMBean.class),
                            SharedKafkaBroker.objectName());
        } catch (InstanceAlreadyExistsException e) {
            // Another class loader or thread registered first: theirs is the shared one.
        }
    }

    @Override
    public synchronized String getBootstrapServers() {
        if (broker != null && !broker.isRunning()) {
            broker.close(); // its JVM died: clean up, then start anew
            broker = null;
        }
        if (broker == null) {
            broker = KafkaBroker.builder().build().start();
        }
        return broker.bootstrapServers();
    }

    @Override
    public synchronized boolean isRunning() {
        return broker != null && broker.isRunning();
    }

    @Override
    public synchronized void retainUntilJvmExit() {
        retainedUntilJvmExit = true;
    }

    @Override
    public synchronized void stopAtEndOfTestRun() {
        if (!retainedUntilJvmExit) {
            stop();
        }
    }

    @Override
    public synchronized void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
