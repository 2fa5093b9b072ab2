package dev.kotune.inference;

import java.nio.file.Path;

/** {@link PackagedJarResource} serving the tiny model with the notebook's chat template, for {@link ApiConformanceIT}. */
public class ConformanceJarResource extends PackagedJarResource {

    @Override
    protected Path export() {
        return TestExports.tinyWithChatTemplate();
    }
}
