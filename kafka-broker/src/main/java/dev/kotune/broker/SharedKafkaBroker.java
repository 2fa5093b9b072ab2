package dev.kotune.broker;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;

/**
 * One broker per JVM, shared by every test that asks for it ({@link KafkaBrokerExtension},
 * {@link KafkaBrokerTestResource}, or directly), started lazily on first use with the default options. It stops on
 * {@link #stop()}; at the end of the JUnit run when {@link KafkaBrokerExtension} was used and no Quarkus application
 * used it (Quarkus closes its applications at that same moment, possibly after us: they keep the broker until the
 * JVM exits); otherwise through the broker's shutdown hook when the JVM exits.
 *
 * <p>The broker lives in a JMX MBean ({@value #OBJECT_NAME}), the one registry every class loader of the JVM sees, so
 * that JUnit tests and Quarkus tests (Quarkus loads this jar again in its own class loaders, once per application
 * start) share the same broker. Thread-safe.
 */
public final class SharedKafkaBroker {

    /** Where the shared broker is registered in the platform MBean server. */
    public static final String OBJECT_NAME = "dev.kotune:type=SharedKafkaBroker";

    private SharedKafkaBroker() {}

    /** Starts the shared broker if needed and returns its {@code bootstrap.servers} ({@code 127.0.0.1:port}). */
    public static String bootstrapServers() {
        return (String) call("BootstrapServers", true);
    }

    /** Whether the shared broker is running (never starts it). */
    public static boolean isRunning() {
        return (Boolean) call("Running", true);
    }

    /** Stops the shared broker if it runs; the next {@link #bootstrapServers()} starts a new one. */
    public static void stop() {
        call("stop", false);
    }

    /** Keeps the broker past the end of the JUnit run, until the JVM exits (for Quarkus applications). */
    static void retainUntilJvmExit() {
        call("retainUntilJvmExit", false);
    }

    /** Called by {@link KafkaBrokerExtension} once the whole test run is over. */
    static void stopAtEndOfTestRun() {
        call("stopAtEndOfTestRun", false);
    }

    static ObjectName objectName() {
        try {
            return new ObjectName(OBJECT_NAME);
        } catch (MalformedObjectNameException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads attribute {@code member} or invokes operation {@code member} of the shared MBean. */
    private static Object call(String member, boolean attribute) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = objectName();
        try {
            if (!server.isRegistered(name)) {
                register();
            }
            return attribute
                    ? server.getAttribute(name, member)
                    : server.invoke(name, member, new Object[0], new String[0]);
        } catch (MBeanException | RuntimeMBeanException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            // The cause's class may come from another class loader: keep its message and stack, not its type.
            throw new IllegalStateException(cause.getMessage(), cause);
        } catch (JMException e) {
            throw new IllegalStateException("Shared Kafka broker: JMX call " + member + " failed: " + e, e);
        }
    }

    /** Registers the holder from the system class loader when it can see this jar (it lives as long as the JVM). */
    private static void register() throws JMException {
        Class<?> holder = SharedBrokerHolder.class;
        try {
            holder = Class.forName(SharedBrokerHolder.class.getName(), true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // This jar is not on the system class path (e.g. an application server): use our own copy.
        }
        try {
            Method register = holder.getDeclaredMethod("register");
            register.setAccessible(true);
            register.invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof JMException) {
                throw (JMException) e.getCause();
            }
            throw new IllegalStateException("Cannot register the shared Kafka broker", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot register the shared Kafka broker", e);
        }
    }
}
