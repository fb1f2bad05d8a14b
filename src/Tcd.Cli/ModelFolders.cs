using Tcd.Models.Modeling;

namespace Tcd.Cli;

/// <summary>Finds the saved model of a path that names a model folder or a run folder of <c>tcd pretrain</c>.</summary>
internal static class ModelFolders
{
    /// <summary>The folder name under a run's <c>--out</c> that holds the final model.</summary>
    public const string ModelFolderName = "model";

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
