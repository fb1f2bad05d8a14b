using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Data.Glue;

namespace Tcd.Cli;

/// <summary>
/// What the <c>result.json</c> of a <c>tcd finetune</c> run says about the classifier in its <c>model/</c> folder, for
/// the commands that take that classifier further (<c>predict</c>, <c>export-hf</c>).
/// </summary>
/// <param name="Task">The GLUE task it was fine-tuned on, or null when the file names none the tool knows.</param>
/// <param name="MaxSequenceLength">The length its examples were cut to, or null for runs of versions that did not record it.</param>
/// <param name="Cancelled">True when the run was stopped before its last epoch and kept the weights it had then.</param>
internal sealed record FineTuningRunRecord(GlueTask? Task, int? MaxSequenceLength, bool Cancelled)
{
    /// <summary>
    /// The record of the run whose <c>model/</c> folder is <paramref name="modelFolder"/>; null for a model folder of
    /// anything else, or when the file is not a fine-tuning's JSON object (another command's, or damaged).
    /// </summary>
    /// <param name="modelFolder">The <c>model/</c> folder of a run.</param>
    /// <param name="onUnreadable">Told the result file and its error when it cannot be read, which counts as no record.</param>
    public static FineTuningRunRecord? Find(string modelFolder, Action<string, Exception>? onUnreadable = null)
    {
        if (ModelFolders.RunResultFile(modelFolder) is not { } resultFile)
        {
            return null;
        }

        try
        {
            // A result without a task is another command's (tcd pretrain writes one too).
            var result = JsonNode.Parse(File.ReadAllText(resultFile)) as JsonObject ?? throw new JsonException("not a JSON object");
            return result["task"] is null
                ? null
                : new FineTuningRunRecord(
                    result["task"]?.GetValue<string>() is { } name && GlueTask.TryFromName(name, out var task) ? task : null,
                    (int?)result["max_sequence_length"],
                    (bool?)result["cancelled"] ?? false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            onUnreadable?.Invoke(resultFile, ex);
            return null;
        }
    }
}
