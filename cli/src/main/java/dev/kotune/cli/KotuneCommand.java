package dev.kotune.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code kotune} command. Each subcommand is its own class; register new ones in {@code subcommands}.
 * Running it without a subcommand prints the usage and exits with 2, like an unknown command or a bad flag.
 */
@Command(
        name = "kotune",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Fine-tune and serve Korean GPT-2 (KoGPT2): Kafka jobs, ONNX exports, gRPC and REST serving.",
        subcommands = {
            DemoCommand.class,
            SubmitCommand.class,
            JobsCommand.class,
            ModelsCommand.class,
            BrokerCommand.class,
            TokenizeCommand.class,
            TrainTokenizerCommand.class,
            ExportCommand.class,
            GenerateCommand.class,
            TrainCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class KotuneCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    /** The configured command line, shared by {@link Main} and the tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new KotuneCommand());
        // Bad input: the error, picocli's suggestions ("Did you mean"), then always the usage; exit code 2.
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine command = ex.getCommandLine();
            PrintWriter err = command.getErr();
            err.println(command.getColorScheme().errorText(ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            command.usage(err, command.getColorScheme());
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof UserException user) {
                err.println(commandLine.getCommandSpec().qualifiedName() + ": " + user.getMessage());
                return user.exitCode();
            }
            err.println(commandLine.getCommandSpec().qualifiedName() + ": " + ex);
            ex.printStackTrace(err);
            return 1;
        });
        return cli;
    }
}
