package dev.kotune.trainer.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kotune.trainer.domain.ValidationError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataRootsTest {

    @TempDir
    Path tmp;

    Path root;
    Path outside;
    DataRoots roots;
    Problems problems;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(root.resolve("in.csv"), "Q,A\n");
        Files.writeString(outside.resolve("out.csv"), "Q,A\n");
        Files.createSymbolicLink(root.resolve("link.csv"), outside.resolve("out.csv"));
        Files.createSymbolicLink(root.resolve("linkdir"), outside);
        roots = new DataRoots(List.of(root));
        problems = new Problems();
    }

    @Test
    void anExistingFileInsideResolvesToItsRealPath() throws IOException {
        assertThat(roots.input("f", "x", root.resolve("sub/../in.csv"), problems))
                .contains(root.resolve("in.csv").toRealPath());
        assertThat(problems.errors()).isEmpty();
    }

    @Test
    void aMissingFileInsideIsLeftToTheCaller() {
        assertThat(roots.input("f", "x", root.resolve("nope.csv"), problems)).contains(root.resolve("nope.csv"));
        assertThat(problems.errors()).isEmpty();
    }

    @Test
    void traversalOutIsRefusedNamingFieldPathAndRoots() {
        String given = root + "/../outside/out.csv";
        assertThat(roots.input("spec.dataset.uri", given, Path.of(given), problems))
                .isEmpty();
        ValidationError e = problems.errors().get(0);
        assertThat(e.field()).isEqualTo("spec.dataset.uri");
        assertThat(e.value()).isEqualTo("\"" + given + "\"");
        assertThat(e.allowed()).contains("must lie under a data root [" + root + "]", "kotune.trainer.data-roots");
    }

    @Test
    void anAbsolutePathOutsideIsRefused() {
        assertThat(roots.input("f", "/etc/passwd", Path.of("/etc/passwd"), problems))
                .isEmpty();
        assertThat(problems.errors()).hasSize(1);
    }

    @Test
    void aSymlinkInsidePointingOutIsRefused() {
        assertThat(roots.input("f", "l", root.resolve("link.csv"), problems)).isEmpty();
        assertThat(roots.input("f", "d", root.resolve("linkdir/out.csv"), problems))
                .isEmpty();
        assertThat(problems.errors()).hasSize(2);
    }

    @Test
    void anOutputResolvesItsNearestExistingParent() throws IOException {
        assertThat(roots.output("f", "o", root.resolve("jobs/job-1/checkpoint-10"), problems))
                .contains(root.toRealPath().resolve("jobs/job-1/checkpoint-10"));
        assertThat(problems.errors()).isEmpty();
    }

    @Test
    void anOutputBelowASymlinkPointingOutIsRefused() {
        assertThat(roots.output("f", "o", root.resolve("linkdir/new/dir"), problems))
                .isEmpty();
        assertThat(roots.output("f", "o", tmp.resolve("elsewhere/x"), problems)).isEmpty();
        assertThat(problems.errors()).hasSize(2);
    }

    @Test
    void aRootThatIsASymlinkIsTakenAsItsTarget() throws IOException {
        Path linkedRoot = Files.createSymbolicLink(tmp.resolve("root-link"), root);
        DataRoots viaLink = new DataRoots(List.of(linkedRoot));
        assertThat(viaLink.input("f", "x", linkedRoot.resolve("in.csv"), problems))
                .isPresent();
        assertThat(viaLink.input("f", "x", root.resolve("in.csv"), problems)).isPresent();
        assertThat(problems.errors()).isEmpty();
    }

    @Test
    void needsAtLeastOneRoot() {
        assertThatThrownBy(() -> new DataRoots(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
