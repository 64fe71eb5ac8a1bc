using System.Collections.Immutable;
using System.Globalization;
using ActorQuotes.Contracts.Tickers;

namespace ActorQuotes.Actors.Feeds;

/// <summary>One recorded trade of a replay file.</summary>
public sealed record ReplayRow(DateTimeOffset Timestamp, string Symbol, double Price, long Volume);

/// <summary>A row of a replay file that was left out, by 1-based line number.</summary>
public sealed record ReplayCsvError(int Line, string Message);

/// <summary>The good rows of a replay file, in file order, and what was wrong with the others.</summary>
public sealed record ReplayCsvResult(ImmutableArray<ReplayRow> Rows, ImmutableArray<ReplayCsvError> Errors);

/// <summary>
/// Reads replay files: a header <c>timestamp,ticker_symbol,price,volume</c>, then one trade per line with an
/// ISO 8601 timestamp that carries its offset (<c>2026-11-27T09:00:00+09:00</c> or <c>…Z</c>), in time order.
/// A bad row is reported by line and left out; the good ones are kept.
/// </summary>
public static class ReplayCsv
{
    public const string Header = "timestamp,ticker_symbol,price,volume";

    public static ReplayCsvResult ParseFile(string path)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader);
    }

    public static ReplayCsvResult Parse(TextReader reader)
    {
        var rows = ImmutableArray.CreateBuilder<ReplayRow>();
        var errors = ImmutableArray.CreateBuilder<ReplayCsvError>();

        var header = reader.ReadLine();
        if (header is null || !string.Equals(header.Trim(), Header, StringComparison.OrdinalIgnoreCase))
        {
            // Without the header the column order is a guess; better to replay nothing than the wrong prices.
            errors.Add(new ReplayCsvError(1, $"expected the header '{Header}'"));
            return new ReplayCsvResult(rows.ToImmutable(), errors.ToImmutable());
        }

        var lineNumber = 1;
        ReplayRow? previous = null;
        var previousLine = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var (row, message) = ParseRow(line);
            if (row is not null && previous is not null && row.Timestamp < previous.Timestamp)
            {
                message = $"timestamp {row.Timestamp:O} is earlier than the row before it (line {previousLine})";
                row = null;
            }

            if (row is null)
            {
                errors.Add(new ReplayCsvError(lineNumber, message!));
                continue;
            }

            rows.Add(row);
            previous = row;
            previousLine = lineNumber;
        }

        return new ReplayCsvResult(rows.ToImmutable(), errors.ToImmutable());
    }

    private static (ReplayRow? Row, string? Error) ParseRow(string line)
    {
        var fields = line.Split(',');
        if (fields.Length != 4)
        {
            return (null, $"expected 4 fields ({Header}), found {fields.Length}");
        }

        if (!TickTimestamp.TryParse(fields[0].Trim(), out var timestamp))
        {
            return (null, $"timestamp '{fields[0].Trim()}' is not ISO 8601 with an offset (2026-11-27T09:00:00+09:00)");
        }

        var symbol = fields[1].Trim().ToUpperInvariant();
        if (symbol.Length == 0)
        {
            return (null, "ticker_symbol is empty");
        }

        if (!double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var price)
            || !double.IsFinite(price) || price <= 0)
        {
            return (null, $"price '{fields[2].Trim()}' is not a positive number");
        }

        long volume = 0;
        var volumeText = fields[3].Trim();
        if (volumeText.Length > 0 && !long.TryParse(volumeText, NumberStyles.None, CultureInfo.InvariantCulture, out volume))
        {
            return (null, $"volume '{volumeText}' is not a whole number of 0 or more");
        }

        return (new ReplayRow(timestamp, symbol, price, volume), null);
    }
}
