using ActorQuotes.Bench.LoadGen.Workloads;

namespace ActorQuotes.Bench.LoadGen.Reporting;

/// <summary>
/// The run's chart as a PNG, drawn with no graphics library (none is needed for bars): left, W1 and W2
/// delivery saturation (delivered/offered ≥ 0.99) per server; right, W1 latency percentiles at half of B0's saturation on a log
/// scale. Text uses a built-in 5×7 pixel font.
/// </summary>
public static class Chart
{
    private const int Width = 900, Height = 420;
    private static readonly uint[] ServerColors = [0x4C78A8, 0xF58518, 0x54A24B]; // B0, SUT, B1
    private static readonly string[] Servers = ["B0", "SUT", "B1"];

    public static byte[] Render(RunResult run)
    {
        var canvas = new Canvas(Width, Height, 0xFFFFFF);
        canvas.Text(20, 12, "ACTORQUOTES BENCHMARK " + run.StartedUtc.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC" + (run.Quick ? " (QUICK)" : ""), 0x000000, 2);
        for (var i = 0; i < Servers.Length; i++)
        {
            canvas.Fill(600 + i * 95, 14, 12, 12, ServerColors[i]);
            canvas.Text(616 + i * 95, 16, Servers[i], 0x000000, 1);
        }

        // Throughput panel.
        var groups = new[] { "W1", "W2" };
        var values = groups.Select(g => Servers.Select(s => run.Find(g, s)?.DeliverySaturationUpdatesPerSecond ?? 0).ToArray()).ToArray();
        Panel(canvas, 20, 50, 400, 340, "DELIVERY SATURATION UPDATES/S (RATIO 0.99)", groups, values, log: false);

        // Latency panel: p50, p99, p99.9, max at the half-load window of W1.
        var percentiles = new[] { "P50", "P99", "P99.9", "MAX" };
        var latency = percentiles.Select((_, p) => Servers.Select(s => run.Find("W1", s)?.HalfLoad?.Latency is { } l
            ? p switch { 0 => l.P50Ms, 1 => l.P99Ms, 2 => l.P999Ms, _ => l.MaxMs } : 0).ToArray()).ToArray();
        Panel(canvas, 470, 50, 410, 340, "W1 LATENCY MS AT HALF B0 SATURATION (LOG)", percentiles, latency, log: true);
        return Png.Encode(canvas);
    }

    private static void Panel(Canvas canvas, int x, int y, int w, int h, string title, string[] groups, double[][] values, bool log)
    {
        canvas.Text(x, y, title, 0x000000, 1);
        var top = y + 20;
        var bottom = y + h - 20;
        canvas.Fill(x, bottom, w, 1, 0x000000);
        var max = values.SelectMany(v => v).DefaultIfEmpty(0).Max();
        if (max <= 0)
        {
            return;
        }

        double Scale(double v) => log
            ? Math.Max(0, Math.Log10(Math.Max(v, 0.01) / 0.01) / Math.Log10(max * 1.2 / 0.01))
            : v / (max * 1.15);

        var groupWidth = w / groups.Length;
        var barWidth = (groupWidth - 20) / Servers.Length;
        for (var g = 0; g < groups.Length; g++)
        {
            var gx = x + g * groupWidth + 10;
            canvas.Text(gx + groupWidth / 2 - 20, bottom + 6, groups[g], 0x000000, 1);
            for (var s = 0; s < Servers.Length; s++)
            {
                var v = values[g][s];
                var barHeight = (int)((bottom - top - 14) * Scale(v));
                var bx = gx + s * barWidth;
                canvas.Fill(bx + 2, bottom - barHeight, barWidth - 4, barHeight, ServerColors[s]);
                var label = v >= 1000 ? (v / 1000).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + "K"
                    : v.ToString(v >= 10 ? "F0" : "F1", System.Globalization.CultureInfo.InvariantCulture);
                canvas.Text(bx + 2, bottom - barHeight - 10, label, 0x000000, 1);
            }
        }
    }
}

/// <summary>A 24-bit RGB pixel buffer with rectangles and 5×7 text.</summary>
public sealed class Canvas
{
    public Canvas(int width, int height, uint background)
    {
        Width = width;
        Height = height;
        Pixels = new uint[width * height];
        Array.Fill(Pixels, background);
    }

    public int Width { get; }

    public int Height { get; }

    public uint[] Pixels { get; }

    public void Fill(int x, int y, int w, int h, uint rgb)
    {
        for (var j = Math.Max(0, y); j < Math.Min(Height, y + h); j++)
        {
            for (var i = Math.Max(0, x); i < Math.Min(Width, x + w); i++)
            {
                Pixels[j * Width + i] = rgb;
            }
        }
    }

    public void Text(int x, int y, string text, uint rgb, int scale)
    {
        foreach (var c in text.ToUpperInvariant())
        {
            if (Font.Glyph(c) is { } rows)
            {
                for (var r = 0; r < 7; r++)
                {
                    for (var b = 0; b < 5; b++)
                    {
                        if ((rows[r] & (0x10 >> b)) != 0)
                        {
                            Fill(x + b * scale, y + r * scale, scale, scale, rgb);
                        }
                    }
                }
            }

            x += 6 * scale;
        }
    }
}

/// <summary>A 5×7 pixel font for A–Z, 0–9 and a few signs (each row's low 5 bits, top row first).</summary>
public static class Font
{
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], ['1'] = [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        ['2'] = [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], ['3'] = [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        ['4'] = [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], ['5'] = [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        ['6'] = [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], ['7'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        ['8'] = [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], ['9'] = [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        ['A'] = [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], ['B'] = [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        ['C'] = [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], ['D'] = [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        ['E'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], ['F'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        ['G'] = [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], ['H'] = [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        ['I'] = [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], ['J'] = [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        ['K'] = [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], ['L'] = [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        ['M'] = [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], ['N'] = [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        ['O'] = [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], ['P'] = [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        ['Q'] = [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], ['R'] = [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        ['S'] = [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], ['T'] = [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        ['U'] = [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], ['V'] = [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        ['W'] = [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], ['X'] = [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        ['Y'] = [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], ['Z'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ['.'] = [0, 0, 0, 0, 0, 0x0C, 0x0C], [':'] = [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        ['-'] = [0, 0, 0, 0x1F, 0, 0, 0], ['/'] = [0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10],
        ['('] = [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], [')'] = [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        ['%'] = [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
    };

    public static byte[]? Glyph(char c) => Glyphs.GetValueOrDefault(c);
}
