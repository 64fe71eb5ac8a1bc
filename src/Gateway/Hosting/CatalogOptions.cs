using System.ComponentModel.DataAnnotations;
using System.Text;
using ActorQuotes.Actors.Catalog;

namespace ActorQuotes.Gateway.Hosting;

/// <summary>
/// Companies an operator adds to the shipped catalog when the node starts (configuration section
/// <c>Catalog</c>); the CSV format is in docs/market-data.md.
/// </summary>
public sealed class CatalogOptions : IValidatableObject
{
    public const string Section = "Catalog";

    /// <summary>CSV files imported in order, after the shipped companies; relative to the working directory.</summary>
    public string[] ImportFiles { get; set; } = [];

    /// <summary>A missing file stops the start here, before anything else runs.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < ImportFiles.Length; i++)
        {
            if (FileProblem(i, ImportFiles[i]) is { } problem)
            {
                yield return new ValidationResult(problem, [nameof(ImportFiles)]);
            }
        }
    }

    /// <summary>
    /// The shipped catalog plus the companies of each import file, in order. Bad rows and companies whose id or
    /// ticker is taken are logged as warnings and left out; they do not stop the start. A missing file does.
    /// </summary>
    public static CompanyCatalog LoadCatalog(CatalogOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var catalog = CompanyCatalog.LoadEmbedded();
        for (var i = 0; i < options.ImportFiles.Length; i++)
        {
            var file = options.ImportFiles[i];
            if (FileProblem(i, file) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }

            CompanyCsvResult result;
            using (var reader = new StreamReader(Path.GetFullPath(file), Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            {
                result = CompanyCsv.Parse(reader);
            }

            foreach (var error in result.Errors)
            {
                logger.LogWarning("{File}:{Line}: {Message}", file, error.Line, error.Message);
            }

            var before = catalog.All.Count;
            catalog = catalog.WithImported(result.Companies, out var conflicts);
            foreach (var conflict in conflicts)
            {
                logger.LogWarning("{File}: {Conflict}", file, conflict);
            }

            logger.LogInformation(
                "{File}: imported {Added} of {Rows} rows ({BadRows} bad, {Conflicts} conflicting); the catalog holds {Total} companies",
                file, catalog.All.Count - before, result.Companies.Count + result.Errors.Count, result.Errors.Count, conflicts.Count,
                catalog.All.Count);
        }

        return catalog;
    }

    private static string? FileProblem(int index, string? file)
    {
        var key = $"{Section}:{nameof(ImportFiles)}:{index}";
        if (string.IsNullOrWhiteSpace(file))
        {
            return $"{key} is empty; it must be the path of a CSV file.";
        }

        var path = Path.GetFullPath(file);
        return File.Exists(path)
            ? null
            : $"{key}: the file {path} does not exist (relative paths start from the working directory {Environment.CurrentDirectory}).";
    }
}
