using System.Globalization;
using System.Text;

namespace ActorQuotes.Bench.LoadGen.Workloads;

/// <summary>
/// The benchmark's own companies: <c>BQ0001</c>…, NASDAQ, previous close 100.0, written as a CSV in the
/// SUT's import format (<c>--Catalog:ImportFiles:0=</c>), which the baselines read too.
/// </summary>
public static class BenchCatalog
{
    public const double ReferenceClose = 100.0;
    private const int FirstCompanyId = 100_001;

    public static string[] Symbols(int count) =>
        Enumerable.Range(1, count).Select(i => "BQ" + i.ToString("D4", CultureInfo.InvariantCulture)).ToArray();

    public static double[] Closes(int count) => Enumerable.Repeat(ReferenceClose, count).ToArray();

    public static string WriteCsv(string path, int count)
    {
        var csv = new StringBuilder("company_id,ticker_symbol,company_name,exchange,currency,previous_close\n");
        var symbols = Symbols(count);
        for (var i = 0; i < count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{FirstCompanyId + i},{symbols[i]},Bench Company {i + 1},NASDAQ,USD,100.0\n");
        }

        File.WriteAllText(path, csv.ToString());
        return path;
    }
}
