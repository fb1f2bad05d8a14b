using System.Globalization;
using Tcd.Models.Training;
using Tcd.Reports;

namespace Tcd.Cli;

/// <summary>
/// The expert load of a MoE pre-training run as a heatmap of layers × experts: each expert's share of its layer's
/// tokens over an even share (1 = balanced, 0 = an expert no token reached), averaged over the reports of the last
/// tenth of the run's steps, the load the model ends with. One look shows whether the load-balance loss kept every
/// expert in use, which the per-layer max/mean in <c>metrics.jsonl</c> only summarises. A vanilla run reports no load
/// and gets no chart.
/// </summary>
internal sealed class ExpertLoadChart
{
    /// <summary>The chart's file name in the run folder.</summary>
    public const string FileName = "expert-load.png";

    private double[,]? shareSums;
    private int reports;
    private long firstStep;
    private long lastStep;

    /// <summary>
    /// Adds the load of <paramref name="report"/> when it comes from the last tenth of the run's steps; reports sent while
    /// a validation runs repeat the last training batch's load and are left out.
    /// </summary>
    public void Add(PretrainingProgress report)
    {
        var inLastTenth = report.Step * 10 >= report.TotalSteps * 9;
        if (report.MoeLoad.Count == 0 || report.ValidationSegmentsScored is not null || !inLastTenth)
        {
            return;
        }

        shareSums ??= new double[report.MoeLoad.Count, report.MoeLoad[0].TokenShare.Length];
        for (var layer = 0; layer < report.MoeLoad.Count; layer++)
        {
            var shares = report.MoeLoad[layer].TokenShare;
            for (var expert = 0; expert < shares.Length; expert++)
            {
                shareSums[layer, expert] += shares[expert];
            }
        }

        firstStep = reports == 0 ? report.Step : firstStep;
        lastStep = report.Step;
        reports++;
    }

    /// <summary>Each expert's mean token share times the expert count, [layers, experts]; null before a report was added.</summary>
    public double[,]? RelativeLoad()
    {
        if (shareSums is null)
        {
            return null;
        }

        var (layers, experts) = (shareSums.GetLength(0), shareSums.GetLength(1));
        var load = new double[layers, experts];
        for (var layer = 0; layer < layers; layer++)
        {
            for (var expert = 0; expert < experts; expert++)
            {
                load[layer, expert] = shareSums[layer, expert] / reports * experts;
            }
        }

        return load;
    }

    /// <summary>Draws the chart into <paramref name="path"/>; returns false, writing nothing, when no report was added.</summary>
    public bool TryWrite(string path)
    {
        if (RelativeLoad() is not { } load)
        {
            return false;
        }

        var (layers, experts) = (load.GetLength(0), load.GetLength(1));
        var highest = load.Cast<double>().Max();
        var steps = firstStep == lastStep
            ? string.Create(CultureInfo.InvariantCulture, $"step {lastStep}")
            : string.Create(CultureInfo.InvariantCulture, $"steps {firstStep}–{lastStep}, mean of {reports} reports");
        Heatmap.Write(path, load,
            Enumerable.Range(0, layers).Select(layer => layer.ToString(CultureInfo.InvariantCulture)).ToList(),
            Enumerable.Range(0, experts).Select(expert => "E" + expert.ToString(CultureInfo.InvariantCulture)).ToList(),
            new HeatmapOptions
            {
                Title = $"Expert load, 1 = an even share of the tokens ({steps})",
                XLabel = "Expert",
                YLabel = "Layer",
                ColorBarLabel = "Token share ÷ even share",
                // From 0 up, and at least to 2: an even load then reads as one middle colour, not as noise stretched over the scale.
                ColorRange = (0, Math.Max(2, highest)),
            });
        return true;
    }
}
