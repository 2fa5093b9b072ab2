package dev.kotune.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.kotune.proto.inference.v1.InferenceServiceProto;
import dev.kotune.proto.tokenizer.v1.TokenizerServiceProto;
import dev.kotune.proto.training.v1.TrainingEvent;
import dev.kotune.proto.training.v1.TrainingEventsProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** buf-style rules for every contract, checked on the compiled descriptors and the shipped .proto sources. */
class ContractStyleTest {

    private static final List<FileDescriptor> FILES = List.of(
            TokenizerServiceProto.getDescriptor(),
            InferenceServiceProto.getDescriptor(),
            TrainingEventsProto.getDescriptor());

    @Test
    void packagesAreVersionedUnderKotuneAndMatchTheirDirectory() {
        for (FileDescriptor file : FILES) {
            assertThat(file.getPackage()).matches("kotune\\.[a-z]+\\.v[0-9]+");
            assertThat(file.getName()).startsWith(file.getPackage().replace('.', '/') + "/");
        }
    }

    @Test
    void everyEnumStartsWithAPrefixedUnspecifiedZeroValue() {
        List<EnumDescriptor> enums = new ArrayList<>();
        for (FileDescriptor file : FILES) {
            enums.addAll(file.getEnumTypes());
            file.getMessageTypes().forEach(m -> collectEnums(m, enums));
        }
        assertThat(enums).isNotEmpty();
        for (EnumDescriptor e : enums) {
            String prefix = upperSnake(e.getName()) + "_";
            assertThat(e.findValueByNumber(0).getName()).as(e.getFullName()).isEqualTo(prefix + "UNSPECIFIED");
            e.getValues()
                    .forEach(v -> assertThat(v.getName()).as(v.getFullName()).startsWith(prefix));
        }
    }

    @Test
    void everyRpcHasItsOwnRequestAndResponse() {
        Set<String> used = new HashSet<>();
        for (FileDescriptor file : FILES) {
            for (ServiceDescriptor service : file.getServices()) {
                assertThat(service.getName()).endsWith("Service");
                for (MethodDescriptor rpc : service.getMethods()) {
                    assertThat(rpc.getInputType().getName())
                            .as(rpc.getFullName())
                            .isEqualTo(rpc.getName() + "Request");
                    assertThat(rpc.getOutputType().getName())
                            .as(rpc.getFullName())
                            .isEqualTo(rpc.getName() + "Response");
                    assertThat(used.add(rpc.getInputType().getFullName())).isTrue();
                    assertThat(used.add(rpc.getOutputType().getFullName())).isTrue();
                }
            }
        }
        assertThat(used).hasSizeGreaterThanOrEqualTo(2 * 9);
    }

    @Test
    void trainingEnvelopeCarriesEveryLifecycleFactInOneOneof() {
        Descriptor envelope = TrainingEvent.getDescriptor();
        assertThat(envelope.getOneofs()).hasSize(1);
        List<String> facts = envelope.getOneofs().get(0).getFields().stream()
                .map(f -> f.getMessageType().getName())
                .toList();
        assertThat(facts)
                .containsExactly(
                        "TrainingJobSubmitted",
                        "TrainingJobCancelRequested",
                        "TrainingJobValidated",
                        "TrainingJobRejected",
                        "TrainingStarted",
                        "TrainingProgress",
                        "CheckpointSaved",
                        "ModelEvaluated",
                        "CheckpointExported",
                        "TrainingSucceeded",
                        "TrainingFailed",
                        "TrainingCancelled");
        for (String required : List.of("event_id", "job_id", "occurred_at")) {
            assertThat(envelope.findFieldByName(required)).as(required).isNotNull();
        }
    }

    /** Every message, field, enum value, service and rpc in the .proto sources has a leading comment. */
    @Test
    void everyDeclarationIsDocumented() throws IOException {
        Pattern decl = Pattern.compile(
                "^\\s*(message|enum|service|rpc|oneof)\\s+\\w+|^\\s*(optional\\s+|repeated\\s+)?[\\w.<>, ]+\\s+\\w+\\s*=\\s*\\d+;");
        List<String> undocumented = new ArrayList<>();
        for (FileDescriptor file : FILES) {
            List<String> lines = readSource(file.getName());
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = decl.matcher(lines.get(i));
                if (!m.find() || lines.get(i).trim().startsWith("//")) {
                    continue;
                }
                boolean enumValueInsideDocumentedEnum = lines.get(i).trim().matches("[A-Z0-9_]+\\s*=\\s*\\d+;");
                boolean oneofMember = isInsideOneof(lines, i);
                boolean metricsField = isInsideMessage(lines, i, "TrainMetrics");
                if (enumValueInsideDocumentedEnum || oneofMember || metricsField) {
                    continue;
                }
                String previous = i > 0 ? lines.get(i - 1).trim() : "";
                if (!previous.startsWith("//")) {
                    undocumented.add(
                            file.getName() + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertThat(undocumented).isEmpty();
    }

    private static boolean isInsideOneof(List<String> lines, int index) {
        return enclosingBlock(lines, index).startsWith("oneof");
    }

    private static boolean isInsideMessage(List<String> lines, int index, String name) {
        return enclosingBlock(lines, index).equals("message " + name + " {");
    }

    private static String enclosingBlock(List<String> lines, int index) {
        int depth = 0;
        for (int i = index - 1; i >= 0; i--) {
            String line = lines.get(i).trim();
            if (line.startsWith("//")) {
                continue;
            }
            if (line.endsWith("}")) {
                depth++;
            } else if (line.endsWith("{")) {
                if (depth == 0) {
                    return line;
                }
                depth--;
            }
        }
        return "";
    }

    private static List<String> readSource(String name) throws IOException {
        try (InputStream in = ContractStyleTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("the jar ships " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static void collectEnums(Descriptor message, List<EnumDescriptor> out) {
        out.addAll(message.getEnumTypes());
        message.getNestedTypes().forEach(n -> collectEnums(n, out));
    }

    private static String upperSnake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
    }
}
