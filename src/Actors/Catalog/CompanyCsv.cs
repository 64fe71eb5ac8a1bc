using System.Globalization;

namespace ActorQuotes.Actors.Catalog;

/// <summary>A CSV row that was not imported: its line as a text editor numbers it (the header is line 1) and why.</summary>
public sealed record CsvRowError(int Line, string Message);

/// <summary>What <see cref="CompanyCsv.Parse"/> read: the rows that make valid companies, and the others.</summary>
public sealed record CompanyCsvResult(IReadOnlyList<Company> Companies, IReadOnlyList<CsvRowError> Errors);

/// <summary>
/// Reads companies for the security master from CSV (RFC 4180: comma-separated, fields with commas, quotes
/// or line breaks in double quotes, <c>""</c> for a quote inside them). The first row is the header
/// <see cref="Header"/>. A bad row is reported by line and skipped; the good rows are kept.
/// </summary>
public static class CompanyCsv
{
    public const string Header = "company_id,ticker_symbol,company_name,exchange,currency,previous_close";
    public const int MaxTickerLength = 12;
    public const int MaxNameLength = 200;

    private static readonly string[] Columns = Header.Split(',');

    // The currency each exchange quotes in; a row that disagrees is a typo, not a dual listing.
    private static readonly Dictionary<string, string> CurrencyOf = new(StringComparer.Ordinal)
    {
        ["TSE"] = "JPY",
        ["NYSE"] = "USD",
        ["NASDAQ"] = "USD",
    };

    public static CompanyCsvResult Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var companies = new List<Company>();
        var errors = new List<CsvRowError>();
        var records = new CsvRecordReader(reader);

        if (!records.TryRead(out var header))
        {
            errors.Add(new CsvRowError(1, $"the file is empty; the first line must be the header {Header}"));
            return new CompanyCsvResult(companies, errors);
        }

        if (header.Error is not null || !IsHeader(header.Fields))
        {
            // Without the expected header the columns cannot be trusted, so nothing is imported.
            errors.Add(new CsvRowError(header.Line, $"the first line must be the header {Header}"));
            return new CompanyCsvResult(companies, errors);
        }

        while (records.TryRead(out var record))
        {
            if (record.Error is not null)
            {
                errors.Add(new CsvRowError(record.Line, record.Error));
                continue;
            }

            if (record.Fields is [var only] && string.IsNullOrWhiteSpace(only))
            {
                continue; // a blank line: skipped, but counted in the line numbers
            }

            var problems = new List<string>();
            if (ToCompany(record.Fields, problems) is { } company)
            {
                companies.Add(company);
            }
            else
            {
                errors.Add(new CsvRowError(record.Line, string.Join("; ", problems)));
            }
        }

        return new CompanyCsvResult(companies, errors);
    }

    private static bool IsHeader(IReadOnlyList<string> fields)
    {
        if (fields.Count != Columns.Length)
        {
            return false;
        }

        for (var i = 0; i < Columns.Length; i++)
        {
            var name = i == 0 ? fields[i].TrimStart('\uFEFF') : fields[i];
            if (!Columns[i].Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static Company? ToCompany(IReadOnlyList<string> fields, List<string> problems)
    {
        if (fields.Count != Columns.Length)
        {
            problems.Add($"expected {Columns.Length} columns ({Header}), found {fields.Count}");
            return null;
        }

        var id = fields[0].Trim();
        var ticker = fields[1].Trim();
        var name = fields[2].Trim();
        var exchange = fields[3].Trim();
        var currency = fields[4].Trim();
        var close = fields[5].Trim();

        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var companyId) || companyId <= 0)
        {
            problems.Add($"company_id must be a positive integer, got {Show(id)}");
        }

        if (ticker.Length == 0)
        {
            problems.Add("ticker_symbol is empty");
        }
        else if (ticker.Length > MaxTickerLength || !ticker.All(IsTickerChar))
        {
            problems.Add($"ticker_symbol must be at most {MaxTickerLength} characters of A-Z, 0-9, '.' and '-', got {Show(ticker)}");
        }

        if (name.Length == 0)
        {
            problems.Add("company_name is empty");
        }
        else if (name.Length > MaxNameLength)
        {
            problems.Add($"company_name must be at most {MaxNameLength} characters, got {name.Length}");
        }
        else if (name.Any(char.IsControl))
        {
            problems.Add("company_name must not contain control characters or line breaks");
        }

        var knownExchange = CurrencyOf.TryGetValue(exchange, out var exchangeCurrency);
        if (!knownExchange)
        {
            problems.Add($"exchange must be TSE, NYSE or NASDAQ, got {Show(exchange)}");
        }

        if (currency is not ("JPY" or "USD"))
        {
            problems.Add($"currency must be JPY or USD, got {Show(currency)}");
        }
        else if (knownExchange && currency != exchangeCurrency)
        {
            problems.Add($"currency must be {exchangeCurrency} on {exchange}, got {currency}");
        }

        if (!double.TryParse(close, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var previousClose) || !double.IsFinite(previousClose) || previousClose <= 0)
        {
            problems.Add($"previous_close must be a finite number greater than 0, got {Show(close)}");
        }

        return problems.Count == 0 ? new Company(companyId, ticker, name, exchange, currency, previousClose) : null;
    }

    private static bool IsTickerChar(char c) => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-';

    // Echo what was read, but never a whole runaway field into a log line.
    private static string Show(string value) => value.Length > 40 ? $"'{value[..40]}…'" : $"'{value}'";
}
