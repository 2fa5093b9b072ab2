package dev.kotune.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (Maven project version), or "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = KotuneCommand.class.getPackage().getImplementationVersion();
        return new String[] {
            "kotune " + (version == null ? "dev" : version), "Java " + System.getProperty("java.version")
        };
    }
}
