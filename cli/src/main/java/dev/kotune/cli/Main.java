package dev.kotune.cli;

/** Entry point of {@code ./kotune}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(KotuneCommand.commandLine().execute(args));
    }
}
