package dev.kotune.bench.generation;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --key value} pairs (and bare {@code --flag} as "true"). Stateless. */
public final class Args {

    private Args() {}

    public static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key, got " + args[i]);
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                m.put(key, args[++i]);
            } else {
                m.put(key, "true");
            }
        }
        return m;
    }
}
