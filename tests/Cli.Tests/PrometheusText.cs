using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorQuotes.Cli.Tests;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4): every line is a HELP, a TYPE or a
/// sample; every sample belongs to a family declared by TYPE before it; names, labels and values are
/// well-formed; a family is declared once; counters end in _total; histogram buckets are cumulative and
/// end with le="+Inf" equal to _count. Anything else throws, naming the line.
/// </summary>
public static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Family(string Name, string Type, string Help, List<Sample> Samples);

    public static IReadOnlyDictionary<string, Family> Parse(string text)
    {
        if (!text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a newline");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text[..^1].Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var where = $"line {n + 1}: '{line}'";
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var m = HelpLine().Match(line);
                Require(m.Success && !help.ContainsKey(m.Groups["name"].Value), where);
                help[m.Groups["name"].Value] = m.Groups["help"].Value;
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var m = TypeLine().Match(line);
                Require(m.Success && !families.ContainsKey(m.Groups["name"].Value), where);
                var name = m.Groups["name"].Value;
                var type = m.Groups["type"].Value;
                Require(type != "counter" || name.EndsWith("_total", StringComparison.Ordinal), where + " (a counter's name ends in _total)");
                families[name] = new Family(name, type, help.GetValueOrDefault(name, string.Empty), []);
            }
            else
            {
                Require(!line.StartsWith('#') && line.Length > 0, where);
                var m = SampleLine().Match(line);
                Require(m.Success, where);
                var name = m.Groups["name"].Value;
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                if (m.Groups["labels"].Success && m.Groups["labels"].Value.Length > 0)
                {
                    foreach (Match label in LabelPair().Matches(m.Groups["labels"].Value))
                    {
                        Require(labels.TryAdd(label.Groups["key"].Value, Unescape(label.Groups["value"].Value)), where);
                    }

                    Require(LabelPair().Replace(m.Groups["labels"].Value, string.Empty).Trim(',').Length == 0, where);
                }

                var value = m.Groups["value"].Value switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    "NaN" => double.NaN,
                    var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
                var family = families.Values.FirstOrDefault(f => f.Name == name
                    || (f.Type == "histogram" && (name == f.Name + "_bucket" || name == f.Name + "_sum" || name == f.Name + "_count")));
                Require(family is not null, where + " (no TYPE before it)");
                family!.Samples.Add(new Sample(name, labels, value));
            }
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            var buckets = family.Samples.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToArray();
            Require(buckets.Length > 0 && buckets[^1].Labels["le"] == "+Inf", family.Name + ": buckets end with +Inf");
            for (var i = 1; i < buckets.Length; i++)
            {
                Require(buckets[i].Value >= buckets[i - 1].Value, family.Name + ": buckets are cumulative");
            }

            Require(family.Samples.Single(s => s.Name == family.Name + "_count").Value == buckets[^1].Value, family.Name + ": +Inf equals _count");
        }

        return families;
    }

    /// <summary>The value of the one sample of <paramref name="name"/> with exactly these labels.</summary>
    public static double Value(this IReadOnlyDictionary<string, Family> families, string name, params (string Key, string Value)[] labels)
    {
        var family = families.Values.Single(f => f.Samples.Any(s => s.Name == name));
        return family.Samples.Single(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Value;
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new FormatException("not Prometheus text: " + what);
        }
    }

    private static string Unescape(string value) => value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    [GeneratedRegex(@"^# HELP (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<help>.*)$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|Inf|NaN))$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex LabelPair();
}
