using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Quickstart;

/// <summary>
/// The folder of one of the quickstart's fine-tunings (<c>&lt;out&gt;/&lt;run&gt;/finetune-&lt;task&gt;</c>) as a later
/// invocation finds it: the options and pre-trained model it was started with, the checkpoints of an interrupted
/// fine-tuning, its metrics, and once it has finished its dev scores (with the one answer it gave every dev example,
/// if it did), which are reused instead of fine-tuning again.
/// </summary>
internal sealed class QuickstartFineTuningFolder(QuickstartRunFolder run, GlueTask task)
{
    /// <summary>The member of the stored result, beside the scores, that holds <see cref="QuickstartTaskResult.OneAnswer"/>.</summary>
    private const string OneAnswerProperty = "OneAnswer";

    public string Folder { get; } = Path.Combine(run.Folder, "finetune-" + task.DirectoryName.ToLowerInvariant());

    public string CheckpointFolder => Path.Combine(Folder, "checkpoints");

    public string MetricsFile => Path.Combine(Folder, "metrics.jsonl");

    private string OptionsFile => Path.Combine(Folder, "options.json");

    private string ResultFile => Path.Combine(Folder, "result.json");

    /// <summary>The newest complete checkpoint and its step, or null when there is none.</summary>
    public (string Path, long Step)? LatestCheckpoint() => new CheckpointStore(CheckpointFolder).FindLatestWithStep();

    /// <summary>
    /// Makes the folder hold only what <paramref name="options"/> (which name the pre-trained model too) give: a result or
    /// checkpoint of other options is deleted, and the options are recorded before anything they shape is written.
    /// </summary>
    /// <returns>Each option that differed, as <c>--option old (now new)</c>; empty when nothing was deleted.</returns>
    public IReadOnlyList<(string Option, string Description)> Prepare(JsonObject options)
    {
        var differences = File.Exists(OptionsFile)
            ? OptionsRecord.Differences(OptionsFile, options, $"delete '{Folder}' to fine-tune again", lackingDiffers: true)
            : [];
        if (differences.Count > 0 || !File.Exists(OptionsFile))
        {
            // Without a record nothing here can be told apart from another run's leftovers.
            if (File.Exists(ResultFile))
            {
                File.Delete(ResultFile);
            }

            DeleteCheckpoints();
            OptionsRecord.Write(OptionsFile, options);
        }

        return differences;
    }

    /// <summary>
    /// The dev scores of the finished fine-tuning and its one answer, or null when it has not finished. A result stored
    /// before the one answer was recorded loads with none.
    /// </summary>
    /// <exception cref="InvalidDataException">The stored result is malformed; the message names the file.</exception>
    public QuickstartTaskResult? StoredResult()
    {
        if (!File.Exists(ResultFile))
        {
            return null;
        }

        try
        {
            var stored = JsonNode.Parse(File.ReadAllText(ResultFile)) as JsonObject ?? throw new JsonException("the file holds no JSON object.");
            var scores = stored.Deserialize<GlueTaskResult>(TcdJson.Compact) ?? throw new JsonException("the file holds null.");
            return new QuickstartTaskResult(scores, stored[OneAnswerProperty]?.GetValue<string>());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{ResultFile}' is damaged ({ex.Message}); delete it to fine-tune again.", ex);
        }
    }

    /// <summary>
    /// Stores the finished fine-tuning's dev scores, with its one answer beside them when it gave one (atomically: a
    /// stopped save leaves none rather than half of one).
    /// </summary>
    public void SaveResult(QuickstartTaskResult result)
    {
        var stored = JsonSerializer.SerializeToNode(result.Scores, TcdJson.Indented)!.AsObject();
        if (result.OneAnswer is { } oneAnswer)
        {
            stored[OneAnswerProperty] = oneAnswer;
        }

        CheckpointStore.ReplaceAtomically(ResultFile, stored.ToJsonString(TcdJson.Indented));
    }

    /// <summary>
    /// Deletes the checkpoints: those of a finished fine-tuning once its result is saved, or those of another version of
    /// the model that fine-tuning cannot resume from.
    /// </summary>
    public void DeleteCheckpoints() => OutputFolders.Delete(CheckpointFolder);
}
