using System.Text.Json;
using Tcd.Models.Runtime;
using Tcd.Models.Xpert;
using Tcd.Models.Training;

namespace Tcd.Experiments.Xpert;

/// <summary>
/// Writes what an XPERT run chose and how well its factors fit, as JSON: the domains, and per source layer the common
/// experts (selection score, mean frequency, weight in the collapsed expert mode), the Tucker core's ranks and the
/// relative reconstruction errors of the up- and down-projections. <c>tcd xpert</c> writes it as <c>result.json</c>.
/// </summary>
public static class XpertRunReport
{
    /// <summary>The report's key holding the source model's fingerprint.</summary>
    public const string SourceFingerprintKey = "source_fingerprint";

    /// <summary>Writes the report of <paramref name="result"/> to <paramref name="path"/> (read its factors before disposing it).</summary>
    /// <param name="path">The JSON file; its folder is created if missing.</param>
    /// <param name="result">The pipeline's result, not yet disposed.</param>
    /// <param name="source">Where the MoE source came from (recorded as given), or null.</param>
    /// <param name="modelFolder">Where the dense model was saved, or null.</param>
    /// <param name="sourceFingerprint">
    /// <c>BertModelStore.Fingerprint</c> of the source model folder, recorded as <see cref="SourceFingerprintKey"/> so a
    /// later run can tell whether the source has changed since; null records none.
    /// </param>
    public static void Write(string path, XpertPipelineResult result, string? source = null, string? modelFolder = null, string? sourceFingerprint = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(result);
        var report = new
        {
            source,
            domains = result.Activations.Domains,
            layers = result.Decompositions.Select(layer => new
            {
                layer = layer.SourceLayer,
                experts = layer.Selection.Experts.Select((expert, i) => new
                {
                    expert = expert.Expert,
                    score = expert.Score,
                    mean_frequency = expert.MeanFrequency,
                    weight = layer.Weights[i],
                }),
                tucker_ranks = layer.Factors.Joint.Core.shape,
                up_relative_error = layer.UpRelativeError,
                down_relative_error = layer.DownRelativeError,
            }),
            model = modelFolder,
            source_fingerprint = sourceFingerprint,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        CheckpointStore.ReplaceAtomically(path, JsonSerializer.Serialize(report, TcdJson.Indented));
    }
}
