using System.Text;
using ActorQuotes.Actors.Catalog;

namespace ActorQuotes.Actors.Tests;

public sealed class CompanyCsvTests
{
    private const string Header = "company_id,ticker_symbol,company_name,exchange,currency,previous_close";

    private static CompanyCsvResult Parse(string text) => CompanyCsv.Parse(new StringReader(text));

    [Fact(DisplayName = "Good rows become companies, with quoted commas, doubled quotes, Japanese names and CRLF line ends")]
    public void Good_rows()
    {
        var csv = Header + "\r\n"
                  + "51,4661,株式会社オリエンタルランド,TSE,JPY,2900\r\n"
                  + "52,AMZN.X,\"Amazon.com, Inc.\",NASDAQ,USD,230.5\r\n"
                  + "53,BRK-B,\"The \"\"Quoted\"\" Company\",NYSE,USD,1e2\r\n"
                  + " 54 , 8411 , 株式会社みずほフィナンシャルグループ , TSE , JPY , 4100.0 \r\n";

        var result = Parse(csv);

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                new Company(51, "4661", "株式会社オリエンタルランド", "TSE", "JPY", 2900),
                new Company(52, "AMZN.X", "Amazon.com, Inc.", "NASDAQ", "USD", 230.5),
                new Company(53, "BRK-B", "The \"Quoted\" Company", "NYSE", "USD", 100),
                new Company(54, "8411", "株式会社みずほフィナンシャルグループ", "TSE", "JPY", 4100),
            ],
            result.Companies);
    }

    [Fact(DisplayName = "UTF-8 bytes with a byte-order mark, or text that kept the mark, and no final line break read the same")]
    public void Utf8_with_bom()
    {
        const string text = Header + "\n51,4661,株式会社オリエンタルランド,TSE,JPY,2900";
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();
        using var bytesReader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8);

        var fromBytes = CompanyCsv.Parse(bytesReader);
        var fromText = Parse("\uFEFF" + text);

        Company[] expected = [new(51, "4661", "株式会社オリエンタルランド", "TSE", "JPY", 2900)];
        Assert.Empty(fromBytes.Errors);
        Assert.Equal(expected, fromBytes.Companies);
        Assert.Empty(fromText.Errors);
        Assert.Equal(expected, fromText.Companies);
    }

    [Theory(DisplayName = "Each kind of bad row is reported with its line and reason; the rows around it are kept")]
    [InlineData("60,X,Five Columns,NYSE,USD", "expected 6 columns (company_id,ticker_symbol,company_name,exchange,currency,previous_close), found 5")]
    [InlineData("60,X,Seven,NYSE,USD,10,extra", "expected 6 columns (company_id,ticker_symbol,company_name,exchange,currency,previous_close), found 7")]
    [InlineData("60,X,Unquoted, Inc.,NYSE,USD,10", "expected 6 columns (company_id,ticker_symbol,company_name,exchange,currency,previous_close), found 7")]
    [InlineData("abc,X,Name,NYSE,USD,10", "company_id must be a positive integer, got 'abc'")]
    [InlineData("0,X,Name,NYSE,USD,10", "company_id must be a positive integer, got '0'")]
    [InlineData("-3,X,Name,NYSE,USD,10", "company_id must be a positive integer, got '-3'")]
    [InlineData("1.5,X,Name,NYSE,USD,10", "company_id must be a positive integer, got '1.5'")]
    [InlineData("99999999999,X,Name,NYSE,USD,10", "company_id must be a positive integer, got '99999999999'")]
    [InlineData(",X,Name,NYSE,USD,10", "company_id must be a positive integer, got ''")]
    [InlineData("60,,Name,NYSE,USD,10", "ticker_symbol is empty")]
    [InlineData("60,  ,Name,NYSE,USD,10", "ticker_symbol is empty")]
    [InlineData("60,ABCDEFGHIJKLM,Name,NYSE,USD,10", "ticker_symbol must be at most 12 characters of A-Z, 0-9, '.' and '-', got 'ABCDEFGHIJKLM'")]
    [InlineData("60,aapl,Name,NYSE,USD,10", "ticker_symbol must be at most 12 characters of A-Z, 0-9, '.' and '-', got 'aapl'")]
    [InlineData("60,BRK B,Name,NYSE,USD,10", "ticker_symbol must be at most 12 characters of A-Z, 0-9, '.' and '-', got 'BRK B'")]
    [InlineData("60,X,,NYSE,USD,10", "company_name is empty")]
    [InlineData("60,X,\" \",NYSE,USD,10", "company_name is empty")]
    [InlineData("60,X,Name,LSE,USD,10", "exchange must be TSE, NYSE or NASDAQ, got 'LSE'")]
    [InlineData("60,X,Name,tse,JPY,10", "exchange must be TSE, NYSE or NASDAQ, got 'tse'")]
    [InlineData("60,X,Name,NYSE,EUR,10", "currency must be JPY or USD, got 'EUR'")]
    [InlineData("60,X,Name,TSE,USD,10", "currency must be JPY on TSE, got USD")]
    [InlineData("60,X,Name,NASDAQ,JPY,10", "currency must be USD on NASDAQ, got JPY")]
    [InlineData("60,X,Name,NYSE,USD,0", "previous_close must be a finite number greater than 0, got '0'")]
    [InlineData("60,X,Name,NYSE,USD,-1", "previous_close must be a finite number greater than 0, got '-1'")]
    [InlineData("60,X,Name,NYSE,USD,NaN", "previous_close must be a finite number greater than 0, got 'NaN'")]
    [InlineData("60,X,Name,NYSE,USD,Infinity", "previous_close must be a finite number greater than 0, got 'Infinity'")]
    [InlineData("60,X,Name,NYSE,USD,1e400", "previous_close must be a finite number greater than 0, got '1e400'")]
    [InlineData("60,X,Name,NYSE,USD,12abc", "previous_close must be a finite number greater than 0, got '12abc'")]
    [InlineData("60,X,Name,NYSE,USD,\"1,000\"", "previous_close must be a finite number greater than 0, got '1,000'")]
    [InlineData("60,X,Name,NYSE,USD,", "previous_close must be a finite number greater than 0, got ''")]
    [InlineData("60,X,\"Quoted\" Inc,NYSE,USD,10", "text after a closing quote; a field with a quote in it must be quoted whole, with the quote doubled")]
    [InlineData("60,X,Say \"hi\",NYSE,USD,10", "a quote inside an unquoted field; quote the whole field and double the quote")]
    public void Bad_row(string row, string message)
    {
        var csv = $"{Header}\n51,4661,株式会社オリエンタルランド,TSE,JPY,2900\n{row}\n52,KO2,Good Two,NYSE,USD,70\n";

        var result = Parse(csv);

        Assert.Equal([new CsvRowError(3, message)], result.Errors);
        Assert.Equal(["4661", "KO2"], result.Companies.Select(c => c.TickerSymbol));
    }

    [Fact(DisplayName = "A company name over 200 characters is refused; exactly 200 is kept")]
    public void Name_length()
    {
        var csv = $"{Header}\n60,X,{new string('a', 200)},NYSE,USD,10\n61,Y,{new string('b', 201)},NYSE,USD,10\n";

        var result = Parse(csv);

        Assert.Equal(["X"], result.Companies.Select(c => c.TickerSymbol));
        Assert.Equal([new CsvRowError(3, "company_name must be at most 200 characters, got 201")], result.Errors);
    }

    [Fact(DisplayName = "All the problems of one row are reported together, in column order")]
    public void Several_problems_in_one_row()
    {
        var result = Parse($"{Header}\nx,,,LSE,EUR,-5\n");

        Assert.Empty(result.Companies);
        Assert.Equal(
            [
                new CsvRowError(2,
                    "company_id must be a positive integer, got 'x'; ticker_symbol is empty; company_name is empty; "
                    + "exchange must be TSE, NYSE or NASDAQ, got 'LSE'; currency must be JPY or USD, got 'EUR'; "
                    + "previous_close must be a finite number greater than 0, got '-5'"),
            ],
            result.Errors);
    }

    [Fact(DisplayName = "Line numbers count blank lines and the line breaks inside quoted fields, as an editor does")]
    public void Line_numbers_follow_the_file()
    {
        var csv = Header + "\n"
                  + "\n" // 2: blank, skipped
                  + "60,X,\"Two\nLines\",NYSE,USD,10\n" // 3-4: a line break inside a name
                  + "61,Y,Fine,NYSE,USD,zero\n" // 5
                  + "62,Z,Fine,NYSE,USD,10\r\n"; // 6

        var result = Parse(csv);

        Assert.Equal(
            [
                new CsvRowError(3, "company_name must not contain control characters or line breaks"),
                new CsvRowError(5, "previous_close must be a finite number greater than 0, got 'zero'"),
            ],
            result.Errors);
        Assert.Equal(["Z"], result.Companies.Select(c => c.TickerSymbol));
    }

    [Fact(DisplayName = "A quote left open swallows the rest of the file and is reported at the line where it opened")]
    public void Unclosed_quote()
    {
        var csv = $"{Header}\n60,X,Fine,NYSE,USD,10\n61,Y,\"Open,NYSE,USD,10\n62,Z,Lost,NYSE,USD,10\n";

        var result = Parse(csv);

        Assert.Equal(["X"], result.Companies.Select(c => c.TickerSymbol));
        Assert.Equal([new CsvRowError(3, "a quoted field is not closed before the end of the file")], result.Errors);
    }

    [Theory(DisplayName = "Without the expected header nothing is imported and line 1 says what the header must be")]
    [InlineData("60,X,Fine,NYSE,USD,10\n61,Y,Fine,NYSE,USD,10\n")]
    [InlineData("company_id,ticker_symbol,company_name,exchange,previous_close,currency\n60,X,Fine,NYSE,10,USD\n")]
    [InlineData("")]
    public void Header_required(string csv)
    {
        var result = Parse(csv);

        Assert.Empty(result.Companies);
        var error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Line);
        Assert.EndsWith("company_id,ticker_symbol,company_name,exchange,currency,previous_close", error.Message);
    }

    [Fact(DisplayName = "Importing into the shipped catalog adds new companies and reports id and ticker conflicts, the file's own included")]
    public void Conflicts_with_the_shipped_catalog()
    {
        var shipped = CompanyCatalog.LoadEmbedded();
        var csv = Parse(Header + "\n"
                        + "51,4661,株式会社オリエンタルランド,TSE,JPY,2900\n"
                        + "1,7204,Same Id As Toyota,TSE,JPY,100\n"
                        + "52,aapl,Lower Case Apple,NASDAQ,USD,1\n" // refused by the CSV rules, never reaches the catalog
                        + "53,AAPL,Apple Again,NASDAQ,USD,1\n"
                        + "51,6594,ニデック株式会社,TSE,JPY,2000\n"
                        + "54,4661,Same Ticker As Row 2,TSE,JPY,100\n"
                        + "31,7203,Both Taken,TSE,JPY,100\n"
                        + "55,8411,株式会社みずほフィナンシャルグループ,TSE,JPY,4100\n");
        Assert.Equal([4], csv.Errors.Select(e => e.Line));

        var imported = shipped.WithImported(csv.Companies, out var conflicts);

        Assert.Equal(
            [
                "7204 (company_id 1) not added: company_id 1 already belongs to 7203 トヨタ自動車株式会社",
                "AAPL (company_id 53) not added: ticker_symbol AAPL already belongs to company_id 31 Apple Inc.",
                "6594 (company_id 51) not added: company_id 51 already belongs to 4661 株式会社オリエンタルランド",
                "4661 (company_id 54) not added: ticker_symbol 4661 already belongs to company_id 51 株式会社オリエンタルランド",
                "7203 (company_id 31) not added: company_id 31 already belongs to AAPL Apple Inc.; "
                + "ticker_symbol 7203 already belongs to company_id 1 トヨタ自動車株式会社",
            ],
            conflicts);
        Assert.Equal(shipped.All.Count + 2, imported.All.Count);
        Assert.Equal(new Company(51, "4661", "株式会社オリエンタルランド", "TSE", "JPY", 2900), imported.Find("4661"));
        Assert.Equal(55, imported.Find("8411")!.CompanyId);
        Assert.Equal("トヨタ自動車株式会社", imported.Find("7203")!.CompanyName);
        Assert.Equal(imported.All.OrderBy(c => c.CompanyId), imported.All);
        Assert.Null(shipped.Find("4661")); // the shipped catalog is not changed
    }

    [Fact(DisplayName = "Ticker conflicts ignore case")]
    public void Ticker_conflicts_ignore_case()
    {
        var catalog = new CompanyCatalog([new Company(1, "ABC", "Abc", "NYSE", "USD", 1)]);

        var imported = catalog.WithImported([new Company(2, "abc", "Lower", "NYSE", "USD", 1)], out var conflicts);

        Assert.Equal(["abc (company_id 2) not added: ticker_symbol abc already belongs to company_id 1 Abc"], conflicts);
        Assert.Single(imported.All);
    }

    [Fact(DisplayName = "The shipped sample samples/companies-extra.csv imports whole: no bad rows, no conflicts")]
    public void Shipped_sample_imports_cleanly()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "ActorQuotes.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("ActorQuotes.sln not found above " + AppContext.BaseDirectory);
        }

        using var reader = new StreamReader(Path.Combine(root.FullName, "samples", "companies-extra.csv"), Encoding.UTF8);
        var csv = CompanyCsv.Parse(reader);
        var shipped = CompanyCatalog.LoadEmbedded();
        var imported = shipped.WithImported(csv.Companies, out var conflicts);

        Assert.Empty(csv.Errors);
        Assert.Empty(conflicts);
        Assert.Equal(shipped.All.Count + csv.Companies.Count, imported.All.Count);
        Assert.Contains(imported.All, c => c.Exchange == "TSE" && c.CompanyName == "株式会社オリエンタルランド");
        Assert.Equal("PepsiCo, Inc.", imported.Find("PEP")!.CompanyName);
    }
}
