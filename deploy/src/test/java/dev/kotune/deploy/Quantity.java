package dev.kotune.deploy;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities ({@code 500m}, {@code 2}, {@code 512Mi}, {@code 6Gi}) as numbers. Stateless. */
final class Quantity {

    private static final Pattern FORM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([a-zA-Z]*)");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.valueOf(1_000L)),
            Map.entry("M", BigDecimal.valueOf(1_000_000L)),
            Map.entry("G", BigDecimal.valueOf(1_000_000_000L)),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
            Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
            Map.entry("Ti", BigDecimal.valueOf(1L << 40)));

    private Quantity() {}

    static BigDecimal parse(String quantity) {
        Matcher m = FORM.matcher(quantity.trim());
        if (!m.matches() || !SUFFIXES.containsKey(m.group(2))) {
            throw new AssertionError("Not a Kubernetes quantity this test understands: " + quantity);
        }
        return new BigDecimal(m.group(1)).multiply(SUFFIXES.get(m.group(2)));
    }
}
