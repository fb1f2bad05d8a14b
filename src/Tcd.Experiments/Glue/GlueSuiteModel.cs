using System.Text.Json;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>A pre-trained model of the suite: a row name and the folder written by <c>BertModelStore.Save</c>.</summary>
/// <param name="Name">Row name in tables and charts, e.g. <c>"TCD"</c>.</param>
/// <param name="Folder">The model folder (config.json, model.safetensors, optional pretraining.json).</param>
public sealed record GlueSuiteModel(string Name, string Folder)
{
    /// <summary>Name of the optional file beside the weights holding <c>{"validation_log_likelihood": -2.33}</c>.</summary>
    public const string PretrainingFileName = "pretraining.json";

    // Marks a score of per-segment masks (PretrainingLogLikelihood.PerSegmentMasks); files of earlier versions lack it.
    private const string MasksProperty = "masks";
    private const string PerSegmentMasks = "per-segment";

    /// <summary>
    /// Writes <see cref="PretrainingFileName"/> into a model folder: the held-out masked-token log-likelihood that the
    /// suite shows as the model's "Pre-training LL" (pre-training writes it; so can any program that evaluated a model).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationLogLikelihood"/> is NaN or infinite.</exception>
    public static void WritePretrainingLogLikelihood(string modelFolder, double validationLogLikelihood)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        // A missing score (NaN) must stay missing: written, it would be read back as a score.
        if (!double.IsFinite(validationLogLikelihood))
        {
            throw new ArgumentOutOfRangeException(
                nameof(validationLogLikelihood), validationLogLikelihood,
                $"The pre-training log-likelihood of '{modelFolder}' must be a finite number; write no {PretrainingFileName} when there is no score.");
        }

        CheckpointStore.ReplaceAtomically(
            Path.Combine(modelFolder, PretrainingFileName),
            JsonSerializer.Serialize(new Dictionary<string, object> { ["validation_log_likelihood"] = validationLogLikelihood, [MasksProperty] = PerSegmentMasks }, TcdJson.Indented));
    }

    /// <summary>
    /// Records the held-out log-likelihood of a model just saved into <paramref name="modelFolder"/>: writes it as
    /// <see cref="WritePretrainingLogLikelihood"/> does, or, when there is none, deletes a <see cref="PretrainingFileName"/>
    /// an earlier model saved there left behind, which would otherwise be shown as this model's score.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationLogLikelihood"/> is NaN or infinite.</exception>
    public static void ReplacePretrainingLogLikelihood(string modelFolder, double? validationLogLikelihood)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        if (validationLogLikelihood is { } value)
        {
            WritePretrainingLogLikelihood(modelFolder, value);
        }
        else
        {
            File.Delete(Path.Combine(modelFolder, PretrainingFileName));
        }
    }

    /// <summary>
    /// Reads <see cref="PretrainingFileName"/> of a model folder (as <see cref="WritePretrainingLogLikelihood"/> wrote
    /// it): the held-out masked-token log-likelihood and how it was scored, or null when the folder has no such file.
    /// </summary>
    /// <param name="modelFolder">A model folder (config.json, model.safetensors).</param>
    /// <exception cref="InvalidDataException">The file is not a JSON object with a finite number <c>validation_log_likelihood</c>; the message names the file.</exception>
    public static PretrainingLogLikelihood? ReadPretrainingLogLikelihood(string modelFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        var path = Path.Combine(modelFolder, PretrainingFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var value = json.RootElement.GetProperty("validation_log_likelihood").GetDouble();
            var perSegment = json.RootElement.TryGetProperty(MasksProperty, out var masks) && masks.ValueKind == JsonValueKind.String && masks.GetString() == PerSegmentMasks;
            return double.IsFinite(value) ? new PretrainingLogLikelihood(value, perSegment) : throw new FormatException($"{value} is not a finite number.");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException(
                $"'{path}' must be a JSON object with a number 'validation_log_likelihood', e.g. {{\"validation_log_likelihood\": -2.33}}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Parses <c>folder</c> or <c>name=folder</c>. The folder is a model folder or a run folder whose model is in
    /// <c>model/</c> (<see cref="BertModelStore.FindModelFolder"/>); an unnamed one is called after its run
    /// (<see cref="RunFolders.RunName"/>: <c>runs/tcd</c> and <c>runs/tcd/model</c> are both "tcd"), as <c>tcd glue</c> names it.
    /// </summary>
    /// <exception cref="ArgumentException">An empty name or folder.</exception>
    public static GlueSuiteModel Parse(string specification)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(specification);
        var separator = specification.IndexOf('=', StringComparison.Ordinal);
        var folder = (separator < 0 ? specification : specification[(separator + 1)..]).Trim();
        var name = separator < 0 ? folder : specification[..separator];
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(folder))
        {
            throw new ArgumentException($"Model '{specification}' needs a folder, optionally named: 'runs/tcd' or 'TCD=runs/tcd'.", nameof(specification));
        }

        // A folder that holds no model yet is kept as given: the suite's load names it in its error.
        return new GlueSuiteModel(separator < 0 ? RunFolders.RunName(folder) : name.Trim(), BertModelStore.FindModelFolder(folder) ?? folder);
    }
}
