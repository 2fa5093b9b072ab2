package dev.kotune.broker;

import java.io.IOException;

/**
 * Entry point of the broker's child JVM (never run in the parent). {@link KafkaBroker} copies this single class file
 * into the broker's work directory and puts it in front of Kafka's jars, so the child needs nothing from our jar.
 *
 * <p>It formats the storage when it is not formatted yet ({@code kafka-storage format --ignore-formatted}), then runs
 * {@code kafka.Kafka server.properties} in the same JVM (one JVM start instead of two). A daemon thread reads stdin,
 * a pipe from the parent: end of file means the parent is gone (even after {@code kill -9}), and the broker exits
 * through Kafka's own shutdown hook, so a crashed test run never leaves a broker behind.
 *
 * <p>Keep this class free of nested or anonymous classes and of references to other kotune classes: only its own
 * class file is copied.
 *
 * <p>Arguments: {@code <cluster-id> <server.properties>}.
 */
public final class BrokerProcessMain {

    private BrokerProcessMain() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: BrokerProcessMain <cluster-id> <server.properties>");
            System.exit(2);
        }
        Thread watchdog = new Thread(BrokerProcessMain::exitWhenParentGone, "kotune-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        String[] format = {"format", "--cluster-id", args[0], "--config", args[1], "--ignore-formatted"};
        int formatted;
        try {
            formatted = kafka.tools.StorageTool.execute(format, System.out);
        } catch (RuntimeException e) {
            System.out.println("kotune: formatting the storage failed: " + e);
            e.printStackTrace(System.out);
            formatted = 1;
        }
        System.out.flush();
        if (formatted != 0) {
            System.exit(formatted);
        }
        kafka.Kafka.main(new String[] {args[1]});
    }

    private static void exitWhenParentGone() {
        try {
            while (System.in.read() >= 0) {
                // The parent never writes; anything read is ignored.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end of file.
        }
        System.out.println("kotune: stdin closed (parent process gone or stopping), shutting the broker down");
        System.out.flush();
        System.exit(0);
    }
}
