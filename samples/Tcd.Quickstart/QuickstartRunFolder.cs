using System.Globalization;
using System.Text.Json.Nodes;
using Tcd.Experiments;
using Tcd.Experiments.Glue;
using Tcd.MLNet.Transformers;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Quickstart;

/// <summary>
/// The folder of one of the quickstart's pre-training runs (<c>&lt;out&gt;/teacher</c>, <c>moe</c>, <c>tcd</c>) as a
/// later invocation finds it: the options it was started with, its checkpoints, and its finished model in
/// <c>model/</c> (with <c>pretraining.json</c>, which <c>tcd glue</c> shows as the model's pre-training LL).
/// </summary>
internal sealed class QuickstartRunFolder(string outputDirectory, string name)
{
    /// <summary>The pre-training options the run was started with (<see cref="QuickstartSettings.PretrainingRecord"/>).</summary>
    public const string OptionsFileName = "quickstart-options.json";

    /// <summary>Where quickstarts before <see cref="OptionsFileName"/> kept the held-out log-likelihood.</summary>
    private const string LegacyLogLikelihoodFileName = "pretraining.txt";

    public string Name => name;

    public string Folder { get; } = Path.Combine(outputDirectory, name);

    public string ModelFolder => Path.Combine(Folder, RunFolders.ModelFolderName);

    public string CheckpointFolder => Path.Combine(Folder, "checkpoints");

    public string MetricsFile => Path.Combine(Folder, "metrics.jsonl");

    private string OptionsFile => Path.Combine(Folder, OptionsFileName);

    /// <summary>
    /// True when the run finished: its model folder is only ever published complete (<see cref="SaveModel"/>). Older
    /// quickstarts saved the model in place and marked it finished with <c>pretraining.txt</c> afterwards, so their
    /// folders (which hold no options record) count as finished only with that marker.
    /// </summary>
    public bool HasModel => File.Exists(Path.Combine(ModelFolder, BertModelStore.ConfigFileName))
                            && (HasOptions || File.Exists(LegacyLogLikelihoodFile));

    private string LegacyLogLikelihoodFile => Path.Combine(Folder, LegacyLogLikelihoodFileName);

    /// <summary>True when the folder holds options recorded by a run (older quickstarts recorded none).</summary>
    public bool HasOptions => File.Exists(OptionsFile);

    /// <summary>The newest complete checkpoint and its step, or null when the run has none.</summary>
    public (string Path, long Step)? LatestCheckpoint() => new CheckpointStore(CheckpointFolder).FindLatestWithStep();

    /// <summary>
    /// How <paramref name="now"/> differs from the options the run was started with: each differing option (its record
    /// key) with a description <c>--option old (now new)</c>; empty when they agree, and when the folder holds nothing
    /// they shaped (no model, no checkpoint) or no record of them.
    /// </summary>
    /// <exception cref="InvalidDataException">The recorded options are not a JSON object; the message names the file.</exception>
    public IReadOnlyList<(string Option, string Description)> DifferencesFrom(JsonObject now)
    {
        if (!HasOptions || (!HasModel && LatestCheckpoint() is null))
        {
            return [];
        }

        return OptionsRecord.Differences(OptionsFile, now, $"delete '{Folder}' to pre-train that model again", lackingDiffers: false);
    }

    /// <summary>Records the options a run starts with, before it writes anything they shape.</summary>
    public void RecordOptions(JsonObject options) => OptionsRecord.Write(OptionsFile, options);

    /// <summary>
    /// Saves the finished model with its held-out log-likelihood (none when it is unknown) into <see cref="ModelFolder"/>.
    /// The model is written beside it first and then renamed into place, so a run stopped while saving leaves no
    /// half-written model to be taken for a finished one (<see cref="HasModel"/>).
    /// </summary>
    public void SaveModel(PretrainedBertTransformer model, double? logLikelihood)
    {
        var staging = ModelFolder + ".partial";
        OutputFolders.Delete(staging);
        BertModelStore.Save(model.Model, model.Config, staging);
        if (logLikelihood is { } value)
        {
            GlueSuiteModel.WritePretrainingLogLikelihood(staging, value);
        }

        OutputFolders.Delete(ModelFolder);
        Directory.Move(staging, ModelFolder);
    }

    /// <summary>
    /// The finished model's held-out log-likelihood, or null when none was recorded. Folders of older quickstarts kept
    /// it in <c>pretraining.txt</c> (a NaN there meant "none"); it is read from there but not copied to the model's
    /// <c>pretraining.json</c>, because it was scored on masks that depended on the batch size, and a pretraining.json
    /// claims the per-segment masks of this version.
    /// </summary>
    /// <exception cref="InvalidDataException">The model's pretraining.json is malformed; the message names it.</exception>
    public double? LogLikelihood()
    {
        if (GlueSuiteModel.ReadPretrainingLogLikelihood(ModelFolder) is { } stored)
        {
            return stored.Value;
        }

        return File.Exists(LegacyLogLikelihoodFile)
               && double.TryParse(File.ReadAllText(LegacyLogLikelihoodFile), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : null;
    }
}
