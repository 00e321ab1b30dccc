package dev.redistls.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A line plot of {@link ThroughputSeries} as a PNG, drawn with the JDK's own Java2D and ImageIO: the benchmark
 * draws its data itself, with no plotting package to install and no second program to keep in step with it.
 * One step line per series, a shaded band for each series' change (from 0 to its end), axes with ticks and a legend.
 */
final class ThroughputPlot {
    private static final int W = 1000;
    private static final int H = 520;
    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 56;
    private static final int BOTTOM = 64;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728),
            new Color(0x2ca02c)};

    private ThroughputPlot() {
    }

    static void write(Path png, String title, String yLabel, List<ThroughputSeries> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);

        ThroughputSeries first = series.get(0);
        double x0 = first.fromMs() / 1000.0;
        double x1 = first.binStartMs(first.perSecond().length) / 1000.0;
        double yMax = 0;
        for (ThroughputSeries s : series) {
            for (double v : s.perSecond()) {
                yMax = Math.max(yMax, v);
            }
        }
        double yStep = niceStep(yMax * 1.15 / 6);
        double y1 = Math.ceil(yMax * 1.15 / yStep) * yStep;
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        java.util.function.DoubleUnaryOperator px = x -> LEFT + (x - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator py = y -> TOP + ph - y / y1 * ph;

        // change bands, drawn first, each in its series' colour
        for (int i = 0; i < series.size(); i++) {
            Color c = COLORS[i % COLORS.length];
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 28));
            int a = (int) px.applyAsDouble(0);
            int b = (int) px.applyAsDouble(series.get(i).changeMs() / 1000.0);
            g.fillRect(a, TOP, Math.max(1, b - a), ph);
        }
        // grid and ticks
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1));
        for (double y = 0; y <= y1 + 1e-9; y += yStep) {
            int yy = (int) py.applyAsDouble(y);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(LEFT, yy, LEFT + pw, yy);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%,.0f", y);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), yy + fm.getAscent() / 2 - 1);
        }
        for (double x = Math.ceil(x0); x <= x1 + 1e-9; x += 1) {
            int xx = (int) px.applyAsDouble(x);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(xx, TOP, xx, TOP + ph);
            g.setColor(Color.DARK_GRAY);
            String label = String.format(Locale.ROOT, "%.0f", x);
            g.drawString(label, xx - fm.stringWidth(label) / 2, TOP + ph + fm.getAscent() + 6);
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{5, 4}, 0));
        int zero = (int) px.applyAsDouble(0);
        g.drawLine(zero, TOP, zero, TOP + ph);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, pw, ph);

        // series as step lines
        g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int i = 0; i < series.size(); i++) {
            ThroughputSeries s = series.get(i);
            g.setColor(COLORS[i % COLORS.length]);
            double[] v = s.perSecond();
            int prevY = -1;
            for (int k = 0; k < v.length; k++) {
                int xa = (int) px.applyAsDouble(s.binStartMs(k) / 1000.0);
                int xb = (int) px.applyAsDouble(s.binStartMs(k + 1) / 1000.0);
                int yy = (int) py.applyAsDouble(v[k]);
                if (prevY >= 0) {
                    g.drawLine(xa, prevY, xa, yy);
                }
                g.drawLine(xa, yy, xb, yy);
                prevY = yy;
            }
        }

        // labels
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 26);
        g.setFont(small);
        String xLabel = "seconds since the change started (shaded: until it finished; dashed: its start)";
        g.drawString(xLabel, LEFT + (pw - fm.stringWidth(xLabel)) / 2, H - 14);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yLabel, -(TOP + (ph + fm.stringWidth(yLabel)) / 2), 18);
        r.dispose();

        // legend, bottom right inside the plot
        int lx = LEFT + pw - 12;
        int ly = TOP + ph - 12 - series.size() * 20;
        int lw = series.stream().mapToInt(s -> fm.stringWidth(s.name())).max().orElse(0) + 44;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(lx - lw, ly - 4, lw, series.size() * 20 + 8);
        g.setColor(Color.GRAY);
        g.drawRect(lx - lw, ly - 4, lw, series.size() * 20 + 8);
        for (int i = 0; i < series.size(); i++) {
            int yy = ly + 10 + i * 20;
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(3));
            g.drawLine(lx - lw + 8, yy, lx - lw + 32, yy);
            g.setColor(Color.BLACK);
            g.drawString(series.get(i).name(), lx - lw + 38, yy + fm.getAscent() / 2 - 1);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
