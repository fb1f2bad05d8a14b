using Tcd.Models.Xpert;
using Tcd.Reports;

namespace Tcd.Experiments.Xpert;

/// <summary>
/// Writes XPERT's expert-activation analysis as files a person reads: the frequency table (CSV and JSON) and one
/// heatmap per layer (domains × experts), as the XPERT paper's Figure 1.
/// </summary>
public static class ExpertActivationReport
{
    /// <summary>File name (without extension) of the frequency table.</summary>
    public const string FrequencyFileName = "expert-frequencies";

    /// <summary>Prefix of the per-layer heatmap files (<c>expert-activation-layer0.png</c>, ...).</summary>
    public const string HeatmapFilePrefix = "expert-activation-layer";

    /// <summary>Above this many experts the heatmap cells carry no numbers (they would not be legible).</summary>
    public const int MaxExpertsWithValues = 16;

    /// <summary>Writes the table and the heatmaps into <paramref name="folder"/> (created if missing); returns the files written.</summary>
    public static IReadOnlyList<string> Write(ExpertActivationTable table, string folder)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var files = new List<string> { Path.Combine(folder, FrequencyFileName + ".csv"), Path.Combine(folder, FrequencyFileName + ".json") };
        table.WriteCsv(files[0]);
        table.WriteJson(files[1]);
        var experts = Enumerable.Range(0, table.ExpertCount).Select(expert => $"E{expert}").ToList();
        for (var layer = 0; layer < table.LayerCount; layer++)
        {
            var heatmap = Path.Combine(folder, $"{HeatmapFilePrefix}{layer}.png");
            Heatmap.Write(
                heatmap,
                table.LayerFrequencies(layer),
                table.Domains,
                experts,
                new HeatmapOptions { Title = $"Expert activation, layer {layer}", ShowValues = table.ExpertCount <= MaxExpertsWithValues });
            files.Add(heatmap);
        }

        return files;
    }
}
