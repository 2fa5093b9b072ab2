package dev.kotune.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kotune models}: what inference-service serves ({@code GET /v1/models}) as a table. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "List the models inference-service serves (GET /v1/models): id, created, owned_by.")
final class ModelsCommand implements Callable<Integer> {
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "${env:KOTUNE_INFERENCE_URL:-http://localhost:8080}",
            description = "inference-service's HTTP base URL (env KOTUNE_INFERENCE_URL). Default: ${DEFAULT-VALUE}.")
    URI url;

    @Override
    public Integer call() throws InterruptedException {
        if (url.getScheme() == null
                || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                || url.getHost() == null) {
            throw new UserException("--url must be an http(s) URL such as http://localhost:8080, got '" + url + "'", 2);
        }
        List<InferenceClient.Model> models;
        try {
            models = new InferenceClient(url).listModels();
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new UserException(
                    "inference-service is not reachable at " + url + " (" + describe(e) + "). Start it with"
                            + " `java -jar inference-service/target/quarkus-app/quarkus-run.jar` (HTTP 8080), or pass --url.");
        } catch (HttpTimeoutException e) {
            throw new UserException("inference-service at " + url + " did not answer GET /v1/models within 10 s");
        } catch (IOException e) {
            throw new UserException("GET " + url.resolve("/v1/models") + " failed: " + describe(e));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (models.isEmpty()) {
            out.println("no models served at " + url);
            out.flush();
            return 0;
        }
        TextTable table = new TextTable("ID", "CREATED", "OWNED_BY");
        for (InferenceClient.Model m : models) {
            table.row(
                    m.id(),
                    m.created() > 0 ? CREATED.format(Instant.ofEpochSecond(m.created())) : "-",
                    m.ownedBy().isEmpty() ? "-" : m.ownedBy());
        }
        table.print(out);
        return 0;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank()
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
    }
}
