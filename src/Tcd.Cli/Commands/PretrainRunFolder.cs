using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Experiments;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Cli.Commands;

/// <summary>
/// The <c>--out</c> folder of <c>tcd pretrain</c> / <c>tcd distill</c> as a later invocation finds it: the checkpoint a
/// run resumes from, the options it was started with, whether it has finished.
/// </summary>
internal sealed class PretrainRunFolder(string folder)
{
    /// <summary>
    /// Options a resumed run may change: how long it runs, where (and, for the teacher, in what precision) it computes, how
    /// it reports and checkpoints, where the corpus lies, and where the run folder itself is (one moved, or named by another path, is the same run). Every other option (model shape, batch, optimizer, λ weights, seed) decides what the checkpoint's
    /// weights and optimizer state mean, so a resume must repeat it.
    /// </summary>
    private static readonly HashSet<string> ChangeableOnResume = new(StringComparer.Ordinal)
    {
        "steps", "corpus", "device", "threads", "teacher-precision", "log-every", "metrics-expert-shares", "checkpoint-every", "keep-checkpoints",
        "validation", "validation-segments", "validation-every", "no-resume", "config", "out",
    };

    public string ConfigFile => Path.Combine(folder, PretrainCommand.EffectiveConfigFileName);

    public string ModelFolder => Path.Combine(folder, RunFolders.ModelFolderName);

    private string CheckpointFolder => Path.Combine(folder, PretrainCommand.CheckpointFolderName);

    /// <summary>The newest complete checkpoint and its step, or null when the run has none.</summary>
    public (string Path, long Step)? LatestCheckpoint() => new CheckpointStore(CheckpointFolder).FindLatestWithStep();

    /// <summary>
    /// The step at which a run in the folder ended and wrote its model and result, or null when none did. A later resume
    /// may have trained past it and been stopped, leaving a newer checkpoint than the model.
    /// </summary>
    /// <param name="reportUnreadable">Told the line that names a result file that cannot be read, which counts as none.</param>
    public long? ResultStep(Action<string>? reportUnreadable = null)
    {
        var resultFile = Path.Combine(folder, PretrainCommand.ResultFileName);
        if (!File.Exists(resultFile) || !File.Exists(Path.Combine(ModelFolder, BertModelStore.ConfigFileName)))
        {
            return null;
        }

        try
        {
            return (JsonNode.Parse(File.ReadAllText(resultFile)) as JsonObject)?["steps"]?.GetValue<long>()
                   ?? throw new JsonException("no \"steps\" count");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // A damaged result is no record of the model; the checkpoint is saved as the model again.
            reportUnreadable?.Invoke(UserMessages.UnreadableRecord(resultFile, ex, "the run is taken as unfinished"));
            return null;
        }
    }

    /// <summary>The options the run was started with (its <c>tcd-config.json</c>), or null when it has none.</summary>
    public JsonObject? StartedWith()
    {
        try
        {
            return File.Exists(ConfigFile) ? JsonNode.Parse(File.ReadAllText(ConfigFile)) as JsonObject : null;
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"'{ConfigFile}' is damaged ({ex.Message}); restore it, or start over with --no-resume.");
        }
    }

    /// <summary>
    /// Throws when <paramref name="now"/> differs from <paramref name="started"/>, the options the run was started with
    /// (<see cref="StartedWith"/>; null when unknown), in one that a resumed run must repeat, naming each such option
    /// with both values.
    /// </summary>
    public void CheckResumable(JsonObject? started, IReadOnlyDictionary<string, JsonNode?> now)
    {
        if (started is null)
        {
            return;
        }

        var conflicts = OptionRecords.Differences(ModelFolders.WithModelIdentities(started), now.Where(option => !ChangeableOnResume.Contains(option.Key)))
            .Select(difference => difference.Description)
            .ToList();
        if (conflicts.Count > 0)
        {
            throw new CliUsageException(
                $"'{folder}' holds a run started with {string.Join(", ", conflicts)}. A resumed run must repeat these options: " +
                "give them as before, choose another --out for a new run, or start this one over with --no-resume.");
        }
    }
}
