package dev.kotune.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training-loss curve of a job as a PNG, drawn with XChart from the job's {@code TrainingProgress} losses. */
final class LossCurve {
    private LossCurve() {}

    /**
     * Writes {@code file} (PNG, 800×500): loss per logged step.
     *
     * @param curve {@code curve[0]} the steps, {@code curve[1]} the losses (as {@link TrainingProgressBar#curve()})
     * @param title the chart's title (ASCII: the default fonts of a headless JVM may lack Hangul)
     */
    static Path write(Path file, double[][] curve, String title) throws IOException {
        if (curve[0].length == 0) {
            throw new IOException("no TrainingProgress losses to draw");
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle("optimizer step")
                .yAxisTitle("training loss")
                .build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(curve[0][curve[0].length - 1]);
        XYSeries series = chart.addSeries("loss", curve[0], curve[1]);
        series.setMarker(curve[0].length <= 60 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        Files.createDirectories(file.toAbsolutePath().getParent());
        String name = file.getFileName().toString();
        String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        Path target = file.resolveSibling(base + ".png");
        BitmapEncoder.saveBitmap(chart, file.resolveSibling(base).toString(), BitmapEncoder.BitmapFormat.PNG);
        return target;
    }
}
