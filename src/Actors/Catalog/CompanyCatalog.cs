using System.Collections.Frozen;
using System.Text.Json;

namespace ActorQuotes.Actors.Catalog;

/// <summary>
/// The security master: the companies shipped with the code (<c>companies.json</c>, embedded), plus any
/// an operator imports at start (<see cref="WithImported"/>). Immutable and shared by every actor and endpoint on a node.
/// </summary>
public sealed class CompanyCatalog
{
    private readonly FrozenDictionary<string, Company> _bySymbol;

    public CompanyCatalog(IEnumerable<Company> companies)
    {
        All = companies.OrderBy(c => c.CompanyId).ToArray();
        _bySymbol = All.ToFrozenDictionary(c => c.TickerSymbol, StringComparer.OrdinalIgnoreCase);
        if (_bySymbol.Count != All.Count)
        {
            throw new ArgumentException("Ticker symbols in the catalog must be unique.", nameof(companies));
        }
    }

    public IReadOnlyList<Company> All { get; }

    /// <summary>The shipped catalog.</summary>
    public static CompanyCatalog LoadEmbedded()
    {
        using var stream = typeof(CompanyCatalog).Assembly.GetManifestResourceStream("ActorQuotes.Actors.Catalog.companies.json")
                           ?? throw new InvalidOperationException("The embedded company catalog is missing.");
        var rows = JsonSerializer.Deserialize<Company[]>(stream, new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        }) ?? [];
        return new CompanyCatalog(rows);
    }

    /// <summary>
    /// A new catalog with the companies added whose <c>company_id</c> and ticker symbol (without case) are
    /// both unused, by this catalog or by an earlier company of <paramref name="companies"/>. The others
    /// are left out and described in <paramref name="conflicts"/>, one line each, in input order.
    /// </summary>
    public CompanyCatalog WithImported(IEnumerable<Company> companies, out IReadOnlyList<string> conflicts)
    {
        ArgumentNullException.ThrowIfNull(companies);
        var byId = All.ToDictionary(c => c.CompanyId);
        var bySymbol = All.ToDictionary(c => c.TickerSymbol, StringComparer.OrdinalIgnoreCase);
        var found = new List<string>();
        foreach (var company in companies)
        {
            var sameId = byId.GetValueOrDefault(company.CompanyId);
            var sameSymbol = bySymbol.GetValueOrDefault(company.TickerSymbol);
            if (sameId is null && sameSymbol is null)
            {
                byId.Add(company.CompanyId, company);
                bySymbol.Add(company.TickerSymbol, company);
                continue;
            }

            var reasons = new List<string>(2);
            if (sameId is not null)
            {
                reasons.Add($"company_id {company.CompanyId} already belongs to {sameId.TickerSymbol} {sameId.CompanyName}");
            }

            if (sameSymbol is not null)
            {
                reasons.Add($"ticker_symbol {company.TickerSymbol} already belongs to company_id {sameSymbol.CompanyId} {sameSymbol.CompanyName}");
            }

            found.Add($"{company.TickerSymbol} (company_id {company.CompanyId}) not added: {string.Join("; ", reasons)}");
        }

        conflicts = found;
        return new CompanyCatalog(byId.Values);
    }

    /// <summary>Finds a company by ticker symbol, ignoring case ("aapl" finds AAPL).</summary>
    public Company? Find(string? tickerSymbol) =>
        tickerSymbol is not null && _bySymbol.TryGetValue(tickerSymbol, out var company) ? company : null;

    /// <summary>
    /// Companies whose ticker starts with, or whose name contains, <paramref name="query"/> (case-insensitive);
    /// exact ticker matches first. An empty query lists everything.
    /// </summary>
    public IReadOnlyList<Company> Search(string? query, int limit)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return All.Take(limit).ToArray();
        }

        var q = query.Trim();
        return All
            .Select(c => (Company: c, Rank: Rank(c, q)))
            .Where(x => x.Rank < 3)
            .OrderBy(x => x.Rank)
            .ThenBy(x => x.Company.CompanyId)
            .Take(limit)
            .Select(x => x.Company)
            .ToArray();
    }

    private static int Rank(Company c, string q)
    {
        if (c.TickerSymbol.Equals(q, StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (c.TickerSymbol.StartsWith(q, StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        return c.CompanyName.Contains(q, StringComparison.OrdinalIgnoreCase) ? 2 : 3;
    }
}
