using Tcd.Models.Modeling;

namespace Tcd.Cli;

/// <summary>Finds the saved model of a path that names a model folder or a run folder of <c>tcd pretrain</c>.</summary>
internal static class ModelFolders
{
    /// <summary>The folder name under a run's <c>--out</c> that holds the final model.</summary>
    public const string ModelFolderName = "model";

    /// <summary>
    /// What a model or run folder is called in tables and charts: its own name, or its run's when it is the
    /// <c>model/</c> folder of a run (<c>runs/tcd/model</c> → <c>tcd</c>).
    /// </summary>
    public static string RunName(string path)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var name = Path.GetFileName(folder);
        return name == ModelFolderName && Path.GetFileName(Path.GetDirectoryName(folder)) is { Length: > 0 } run ? run : name;
    }

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

    /// <summary>The folder holding the saved model of <paramref name="path"/>: the path itself or its <c>model/</c> folder.</summary>
    /// <exception cref="CliUsageException">Neither holds a saved model.</exception>
    public static string Resolve(string path, string option)
    {
        if (File.Exists(Path.Combine(path, BertModelStore.ConfigFileName)))
        {
            return path;
        }

        var nested = Path.Combine(path, ModelFolderName);
        if (File.Exists(Path.Combine(nested, BertModelStore.ConfigFileName)))
        {
            return nested;
        }

        throw new CliUsageException(
            $"{option}: '{path}' holds no saved model ({BertModelStore.ConfigFileName} + {BertModelStore.WeightsFileName}), " +
            $"neither directly nor in '{ModelFolderName}/'. Give a model folder or the --out folder of 'tcd pretrain' / 'tcd distill'.");
    }
}
