package dev.kotune.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks free TCP ports on the loopback interface by binding port 0. A port is only free at the moment it is picked:
 * {@link KafkaBroker} retries with new ports if the broker then finds one taken.
 *
 * <p>Stateless; thread-safe.
 */
final class FreePorts {

    private FreePorts() {}

    /** Two distinct free loopback ports. */
    static int[] pickTwo() {
        try (ServerSocket first = open();
                ServerSocket second = open()) {
            return new int[] {first.getLocalPort(), second.getLocalPort()};
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free loopback port", e);
        }
    }

    /** Whether {@code port} can be bound on 127.0.0.1 right now. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(KraftProperties.HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static ServerSocket open() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getByName(KraftProperties.HOST));
    }
}
