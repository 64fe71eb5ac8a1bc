using System.Globalization;

namespace ActorQuotes.Bench.Baselines;

/// <summary>
/// The symbols a baseline knows: the rows of the CSV files named by <c>Catalog:ImportFiles</c> (the SUT's
/// import format: company_id,ticker_symbol,company_name,exchange,currency,previous_close). The benchmark
/// feeds only imported symbols, so the baselines need nothing else of the catalog.
/// </summary>
internal sealed class BaselineCatalog
{
    private readonly Dictionary<string, int> _index;

    private BaselineCatalog(string[] symbols, double[] closes)
    {
        Symbols = symbols;
        PreviousCloses = closes;
        _index = new Dictionary<string, int>(symbols.Length, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < symbols.Length; i++)
        {
            _index.TryAdd(symbols[i], i);
        }
    }

    public string[] Symbols { get; }

    public double[] PreviousCloses { get; }

    /// <summary>The symbol's index, or -1 when it is not in the catalog (matched without case).</summary>
    public int IndexOf(string symbol) => _index.GetValueOrDefault(symbol, -1);

    public static BaselineCatalog Load(IConfiguration configuration)
    {
        var files = configuration.GetSection("Catalog:ImportFiles").Get<string[]>() ?? [];
        var symbols = new List<string>();
        var closes = new List<double>();
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var cells = line.Split(',');
                if (cells.Length < 6 || !double.TryParse(cells[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var close))
                {
                    continue;
                }

                symbols.Add(cells[1].Trim().ToUpperInvariant());
                closes.Add(close);
            }
        }

        return new BaselineCatalog([.. symbols], [.. closes]);
    }
}
