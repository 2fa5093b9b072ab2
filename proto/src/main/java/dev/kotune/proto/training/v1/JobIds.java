package dev.kotune.proto.training.v1;

import java.util.regex.Pattern;

/**
 * The rule of the contract's job ids ({@code job_id} in kotune/training/v1): a letter or digit first, then letters,
 * digits, '.', '_' or '-', at most 128 characters in all. A job id is the Kafka key of its events and the directory
 * {@code KOTUNE_HOME/jobs/<id>}, so '/', ':' and a leading '.' are out. trainer-service refuses other ids; the CLI
 * checks its {@code --job-id} with the same rule before it submits.
 */
public final class JobIds {

    /** The rule as a regular expression, also what error messages quote. */
    public static final String RULE = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

    private static final Pattern PATTERN = Pattern.compile(RULE);

    private JobIds() {}

    /** True when {@code id} is a valid job id. */
    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
