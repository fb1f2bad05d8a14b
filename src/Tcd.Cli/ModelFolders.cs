using System.Text.Json.Nodes;
using Tcd.Experiments;
using Tcd.Models.Modeling;

namespace Tcd.Cli;

/// <summary>Finds the saved model of a path that names a model folder or a run folder of <c>tcd pretrain</c>.</summary>
internal static class ModelFolders
{
    /// <summary>Throws unless the model saved in <paramref name="modelFolder"/> has positions for <paramref name="sequenceLength"/> tokens.</summary>
    public static void CheckSequenceLength(string modelFolder, int sequenceLength)
    {
        var positions = BertModelStore.LoadConfig(modelFolder).MaxPositions;
        if (sequenceLength > positions)
        {
            throw new CliUsageException(
                $"--seq-length {sequenceLength} is longer than the {positions} positions of the model in '{modelFolder}'; use --seq-length {positions} or less.");
        }
    }

    /// <summary>The keys of recorded options (<c>tcd-config.json</c>) that name a saved model.</summary>
    private static readonly string[] RecordedModelKeys = ["teacher", "init", "source", "model"];

    /// <summary>
    /// The one name of the saved model <paramref name="path"/> names, however it is spelt: the full path of its model
    /// folder (a run folder's <c>model/</c>) without a trailing separator; the path itself, so spelt, when it holds no
    /// model (a record of one since moved).
    /// </summary>
    public static string Identity(string path) =>
        RunFolderGuard.FullFolder(string.IsNullOrWhiteSpace(path) ? path : BertModelStore.FindModelFolder(path) ?? path);

    /// <summary>
    /// A copy of a run's recorded options with every saved model named by its <see cref="Identity"/>, so that a later
    /// invocation is compared with it by model, not by spelling (records of older versions hold the path as given).
    /// </summary>
    public static JsonObject WithModelIdentities(JsonObject record)
    {
        var copy = record.DeepClone().AsObject();
        foreach (var key in RecordedModelKeys)
        {
            if (copy[key] is JsonValue value && value.TryGetValue<string>(out var path) && path.Length > 0)
            {
                copy[key] = Identity(path);
            }
        }

        return copy;
    }

    /// <summary>The folder holding the saved model of <paramref name="path"/>: the path itself or its <c>model/</c> folder.</summary>
    /// <exception cref="CliUsageException">The path does not exist, or neither it nor its <c>model/</c> holds a saved model.</exception>
    public static string Resolve(string path, string option)
    {
        const string whatToGive = "Give a model folder, a checkpoint folder (<out>/checkpoints/step-…) or the --out folder of 'tcd pretrain' / 'tcd distill' / 'tcd xpert'.";
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            // A typo in the path reads as one, not as a folder that lacks the model files.
            throw new CliUsageException($"{option}: '{path}' does not exist. {whatToGive}");
        }

        return BertModelStore.FindModelFolder(path) ?? throw new CliUsageException(
            $"{option}: '{path}' holds no saved model ({BertModelStore.ConfigFileName} + {BertModelStore.WeightsFileName}), " +
            $"neither directly nor in '{RunFolders.ModelFolderName}/'. {whatToGive}");
    }
}
