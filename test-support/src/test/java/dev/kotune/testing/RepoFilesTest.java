package dev.kotune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class RepoFilesTest {
    @Test
    void findsTheRepositoryRootFromAModuleDirectory() {
        assertThat(RepoFiles.root().resolve("pom.xml")).exists();
        assertThat(RepoFiles.root().resolve("test-support")).isDirectory();
    }

    @Test
    void aMissingCommittedFileFailsInsteadOfSkipping() {
        assertThatThrownBy(() -> RepoFiles.conformance("goldens/no-such-golden.json"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("conformance/goldens/no-such-golden.json is missing");
    }

    @Test
    void resolvesCommittedConformanceFiles() {
        assertThat(Files.isRegularFile(RepoFiles.conformance("data/notebook_examples.json")))
                .isTrue();
    }

    @Test
    void missingSharedDataNamesWhatWasLookedFor() {
        // Outside CI this is an assumption failure (a loud skip); in CI an assertion error. Both name the file.
        assertThatThrownBy(() -> SharedData.require("no/such/file.txt"))
                .hasMessageContaining("MISSING TEST DATA: shared data no/such/file.txt");
    }

    @Test
    void findsTheRealSharedDataWhenPresent() {
        assertThat(SharedData.require("README.md")).isRegularFile();
    }
}
