package dev.kotune.inference;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Set;

/** Runs the application with {@link ScriptedTextGenerator} instead of the placeholder. */
public class ScriptedGeneratorProfile implements QuarkusTestProfile {

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(ScriptedTextGenerator.class);
    }
}
