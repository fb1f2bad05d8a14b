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
        var colorRange = SharedColorRange(table);
        for (var layer = 0; layer < table.LayerCount; layer++)
        {
            var heatmap = Path.Combine(folder, $"{HeatmapFilePrefix}{layer}.png");
            Heatmap.Write(
                heatmap,
                table.LayerFrequencies(layer),
                table.Domains,
                experts,
                new HeatmapOptions { Title = $"Expert activation, layer {layer}", ShowValues = table.ExpertCount <= MaxExpertsWithValues, ColorRange = colorRange });
            files.Add(heatmap);
        }

        return files;
    }

    /// <summary>
    /// One colour scale over every layer's frequencies, so the same colour means the same share in each layer's heatmap
    /// (with each map's own range, a layer's palest expert looked as busy as another layer's busiest); null when all
    /// frequencies are equal, which each map then shows around their value.
    /// </summary>
    internal static (double Minimum, double Maximum)? SharedColorRange(ExpertActivationTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var frequencies = Enumerable.Range(0, table.LayerCount).SelectMany(layer => table.LayerFrequencies(layer).Cast<double>()).ToArray();
        var (minimum, maximum) = (frequencies.Min(), frequencies.Max());
        return minimum < maximum ? (minimum, maximum) : null;
    }
}
