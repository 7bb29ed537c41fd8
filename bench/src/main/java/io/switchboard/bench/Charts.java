package io.switchboard.bench;

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
import javax.imageio.ImageIO;

/** Grouped bar charts drawn with java.awt (headless) and written as PNG: no charting dependency. */
final class Charts {

    private static final Color[] SERIES = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

    private Charts() {
    }

    /**
     * @param groups  labels along the x axis (e.g. p50, p99)
     * @param series  one name per bar within a group (e.g. the servers)
     * @param values  values[series][group]; NaN draws no bar
     * @param log     a logarithmic y axis (for latencies spanning decades)
     */
    static void bars(Path file, String title, String unit, List<String> groups, List<String> series, double[][] values,
                     boolean log) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 900;
        int h = 480;
        int left = 80;
        int right = 20;
        int top = 60;
        int bottom = 70;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        double max = 0;
        double min = Double.MAX_VALUE;
        for (double[] row : values) {
            for (double v : row) {
                if (!Double.isNaN(v) && v > 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        if (max == 0) {
            max = 1;
            min = 1;
        }
        double lo;
        double hi;
        if (log) {
            lo = Math.pow(10, Math.floor(Math.log10(min)));
            hi = Math.pow(10, Math.ceil(Math.log10(max)));
            if (hi <= lo) {
                hi = lo * 10;
            }
        } else {
            lo = 0;
            hi = niceCeiling(max);
        }
        int plotH = h - top - bottom;
        int plotW = w - left - right;
        final double lo0 = lo;
        final double hi0 = hi;
        java.util.function.DoubleUnaryOperator y = v -> {
            double f = log ? (Math.log10(v) - Math.log10(lo0)) / (Math.log10(hi0) - Math.log10(lo0)) : (v - lo0) / (hi0 - lo0);
            return top + plotH - Math.max(0, Math.min(1, f)) * plotH;
        };

        // grid and y labels
        g.setStroke(new BasicStroke(1f));
        java.util.List<Double> ticks = new java.util.ArrayList<>();
        if (log) {
            for (double t = lo; t <= hi * 1.0001; t *= 10) {
                ticks.add(t);
            }
        } else {
            for (int i = 0; i <= 5; i++) {
                ticks.add(lo + (hi - lo) * i / 5);
            }
        }
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks) {
            int ty = (int) y.applyAsDouble(t);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, ty, w - right, ty);
            g.setColor(Color.DARK_GRAY);
            String label = format(t);
            g.drawString(label, left - 8 - fm.stringWidth(label), ty + 4);
        }
        g.drawString(unit + (log ? " (log scale)" : ""), 8, top - 12);

        // bars
        int groupW = plotW / Math.max(1, groups.size());
        int barW = Math.max(4, (int) (groupW * 0.8 / Math.max(1, series.size())));
        for (int gi = 0; gi < groups.size(); gi++) {
            int gx = left + gi * groupW + (int) (groupW * 0.1);
            for (int si = 0; si < series.size(); si++) {
                double v = values[si][gi];
                int bx = gx + si * barW;
                if (!Double.isNaN(v) && v > 0) {
                    int by = (int) y.applyAsDouble(v);
                    g.setColor(SERIES[si % SERIES.length]);
                    g.fillRect(bx, by, barW - 3, top + plotH - by);
                    g.setColor(Color.BLACK);
                    String label = format(v);
                    int lw = fm.stringWidth(label);
                    if (lw < barW + 10) {
                        g.drawString(label, bx + (barW - 3 - lw) / 2, by - 3);
                    }
                }
            }
            g.setColor(Color.BLACK);
            String label = groups.get(gi);
            g.drawString(label, left + gi * groupW + (groupW - fm.stringWidth(label)) / 2, top + plotH + 18);
        }
        g.drawLine(left, top + plotH, w - right, top + plotH);

        // legend
        int lx = left;
        for (int si = 0; si < series.size(); si++) {
            g.setColor(SERIES[si % SERIES.length]);
            g.fillRect(lx, h - 28, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(series.get(si), lx + 20, h - 16);
            lx += 40 + fm.stringWidth(series.get(si));
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String format(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
