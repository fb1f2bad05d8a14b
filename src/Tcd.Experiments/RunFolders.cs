using Tcd.Models.Modeling;

namespace Tcd.Experiments;

/// <summary>
/// The layout of a training run's folder, shared by <c>tcd</c> and the samples so that both read the same folders and
/// name them alike: a run (<c>tcd pretrain --out runs/tcd</c>, the quickstart's <c>runs/quickstart/tcd</c>) keeps its
/// final model in <c>model/</c>, and that model is called after its run in tables and charts.
/// </summary>
public static class RunFolders
{
    /// <summary>The folder name under a run's folder that holds the final model (<see cref="BertModelStore.FindModelFolder"/> looks there).</summary>
    public const string ModelFolderName = BertModelStore.RunModelFolderName;

    /// <summary>
    /// What a model or run folder is called in tables and charts: its own name, or its run's when it is the
    /// <c>model/</c> folder of a run (<c>runs/tcd/model</c> → <c>tcd</c>, as <c>runs/tcd</c> is).
    /// </summary>
    /// <param name="path">A model folder or a run folder.</param>
    public static string RunName(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var name = Path.GetFileName(folder);
        return name == ModelFolderName && Path.GetFileName(Path.GetDirectoryName(folder)) is { Length: > 0 } run ? run : name;
    }
}
