using Tcd.Reports;

namespace Tcd.Experiments.Glue;

/// <summary>What a <see cref="GlueSuite"/> run produced.</summary>
/// <param name="Cells">Every cell of the grid (trained now or read back).</param>
/// <param name="CellsTrained">How many cells were trained in this run (the rest were reused).</param>
/// <param name="Selections">The reported configuration per model × task.</param>
/// <param name="Table">The results table (rows: models with pre-training LL; columns: tasks and Avg.).</param>
/// <param name="PretrainingLogLikelihoods">Pre-training log-likelihood per model name, where known.</param>
/// <param name="Files">Every file written, by role: "markdown", "csv", "json", "selection", "chart:&lt;Task&gt;", "submission:&lt;model&gt;:&lt;Column&gt;" (also <c>AX</c>, and <c>WNLI</c>, which unless WNLI was fine-tuned is its train majority class).</param>
public sealed record GlueSuiteResult(
    IReadOnlyList<GlueCellResult> Cells,
    int CellsTrained,
    IReadOnlyList<GlueSelection> Selections,
    ResultsTable Table,
    IReadOnlyDictionary<string, double> PretrainingLogLikelihoods,
    IReadOnlyDictionary<string, string> Files)
{
    /// <summary>
    /// <see cref="Files"/> as lines to print, one per file: its role, the parts of a compound role spaced apart
    /// ("chart MRPC", "submission tiny WNLI", not "chart:MRPC"), then a colon and the path.
    /// </summary>
    public IEnumerable<string> FileLines() => Files.Select(file => $"{file.Key.Replace(':', ' ')}: {file.Value}");
}
