using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Experiments;
using Tcd.Experiments.Xpert;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;

namespace Tcd.Cli.Commands;

/// <summary>
/// The <c>--out</c> folder of <c>tcd xpert</c> as an invocation finds it: new or empty, a finished run of the same
/// options (left untouched), or anything else, which the command must not write over.
/// </summary>
internal sealed class XpertRunFolder(string folder)
{
    /// <summary>
    /// Options that change nothing a finished run wrote: where it ran, and where its folder is (one moved, or named by
    /// another path, is the same run).
    /// </summary>
    private static readonly HashSet<string> IrrelevantToTheResult = new(StringComparer.Ordinal) { "device", "threads", "out" };

    public string ModelFolder => Path.Combine(folder, RunFolders.ModelFolderName);

    /// <summary>
    /// Throws unless the folder is missing, empty, or holds a run of <paramref name="now"/>'s options, finished or
    /// stopped while it wrote its files; returns true for a finished one (the run need not be made again).
    /// </summary>
    /// <param name="now">The effective options of this invocation.</param>
    /// <param name="source">The source model folder, whose fingerprint the finished run recorded (runs of older versions did not).</param>
    /// <param name="reportUnreadable">
    /// Told the line that names a finished run's <c>result.json</c> that cannot be read: the run is left as it is, but
    /// nothing then says whether it was made from the source model as it is now.
    /// </param>
    /// <param name="cancellationToken">Stops the hashing of the source model's files.</param>
    public bool HoldsFinishedRunOf(IReadOnlyDictionary<string, JsonNode?> now, string source, Action<string> reportUnreadable, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).All(FolderLock.IsLockFile))
        {
            return false;
        }

        if (StartedWith() is not { } started || RunFolderGuard.MadeBy(folder) != "xpert")
        {
            throw new CliUsageException(
                $"--out: '{folder}' is not empty and holds no tcd xpert run (another command's run, or other files); " +
                "choose a new or empty folder for --out.");
        }

        var differences = OptionRecords.Differences(ModelFolders.WithModelIdentities(started), now.Where(option => !IrrelevantToTheResult.Contains(option.Key)))
            .Select(difference => difference.Description)
            .ToList();
        if (IsUnfinished)
        {
            if (differences.Count > 0)
            {
                throw new CliUsageException(
                    $"--out: '{folder}' holds a tcd xpert run that did not finish (it has no {XpertCommand.ResultFileName} or model), made with {string.Join(", ", differences)}; " +
                    "delete the folder to run it again, or choose another --out.");
            }

            // This run, stopped while it wrote its files: it holds nothing that making it again does not write anew.
            return false;
        }

        if (differences.Count > 0)
        {
            throw new CliUsageException(
                $"--out: '{folder}' holds a finished tcd xpert run made with {string.Join(", ", differences)}; " +
                "choose another --out for a run with these options, or delete the folder to replace that run.");
        }

        if (RecordedSourceFingerprint(reportUnreadable) is { } recorded && recorded != BertModelStore.Fingerprint(source, cancellationToken))
        {
            throw new CliUsageException(
                $"--out: '{folder}' holds a finished tcd xpert run of the same options, made from another version of --source '{source}' " +
                "(its weights or tokenizer have changed since); delete the folder to make it again from the model as it is, or choose another --out.");
        }

        return true;
    }

    /// <summary>
    /// Whether the folder holds a run that started writing its files and was stopped (a kill, a crash) before the last,
    /// its <c>result.json</c>: <see cref="HoldsFinishedRunOf"/> lets a run of the same options make it again.
    /// </summary>
    public bool IsUnfinished =>
        File.Exists(Path.Combine(folder, PretrainCommand.EffectiveConfigFileName))
        && (!File.Exists(Path.Combine(folder, XpertCommand.ResultFileName)) || !File.Exists(Path.Combine(ModelFolder, BertModelStore.ConfigFileName)));

    private string? RecordedSourceFingerprint(Action<string> reportUnreadable)
    {
        var resultFile = Path.Combine(folder, XpertCommand.ResultFileName);
        try
        {
            return JsonNode.Parse(File.ReadAllText(resultFile))?[XpertRunReport.SourceFingerprintKey]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // A damaged result.json says nothing about the source; the options, which did match, decide.
            reportUnreadable(UserMessages.UnreadableRecord(resultFile, ex, "the run is taken as finished without checking that --source is the model it was made from"));
            return null;
        }
    }

    /// <summary>The options the folder's run was made with (its <c>tcd-config.json</c>), or null when it has none or another file.</summary>
    private JsonObject? StartedWith() => RunFolderGuard.ReadConfig(Path.Combine(folder, PretrainCommand.EffectiveConfigFileName));
}
