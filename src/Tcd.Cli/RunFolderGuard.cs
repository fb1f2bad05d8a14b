using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Cli.Commands;
using Tcd.Experiments;
using Tcd.Models.Modeling;

namespace Tcd.Cli;

/// <summary>
/// Keeps a command's <c>--out</c> from writing over what it must not: another command's run (whose model, metrics and
/// checkpoints share their names with its own) and the folder of the model it reads.
/// </summary>
internal static class RunFolderGuard
{
    /// <summary>The key of <c>tcd-config.json</c> that names the command which made the run (<c>pretrain</c>, <c>distill</c>, ...).</summary>
    public const string CommandKey = "command";

    /// <summary>
    /// The command that made the run in <paramref name="folder"/>: the one its <c>tcd-config.json</c> names, or for runs
    /// of versions that did not record it, the one whose options that file (or a fine-tuning's <c>result.json</c>) holds;
    /// null when the folder holds no run the tool knows.
    /// </summary>
    public static string? MadeBy(string folder)
    {
        if (ReadConfig(Path.Combine(folder, PretrainCommand.EffectiveConfigFileName)) is { } config)
        {
            if (config[CommandKey] is JsonValue name && name.TryGetValue<string>(out var command))
            {
                return command;
            }

            // Older runs: each command records options only it has.
            return config.ContainsKey("source") && config.ContainsKey("domains") ? "xpert"
                : config.ContainsKey("teacher") ? "distill"
                : config.ContainsKey("corpus") ? "pretrain"
                : null;
        }

        return FineTuningRunRecord.Find(Path.Combine(folder, RunFolders.ModelFolderName)) is null ? null : "finetune";
    }

    /// <summary>Throws when <paramref name="folder"/>, given as <c>--out</c>, holds a run made by another command than <paramref name="command"/>.</summary>
    public static void CheckOwnRun(string folder, string command)
    {
        if (MadeBy(folder) is { } other && other != command)
        {
            throw new CliUsageException(
                $"--out: '{folder}' holds a 'tcd {other}' run, which 'tcd {command}' would overwrite; choose another --out.");
        }
    }

    /// <summary>
    /// Throws when <paramref name="folder"/>, given as the <c>--out</c> of a <paramref name="command"/> run, is itself a
    /// model's folder (a run's <c>model/</c>, a checkpoint, an import, a Hugging Face checkpoint): the run would add its
    /// checkpoints, metrics and <c>model/</c> to it, while the folder goes on loading as the model it held, so the run's
    /// own model would be found by no command given that folder. When it is the model of a run of the same command, the
    /// message names that run's folder, which the command resumes.
    /// </summary>
    public static void CheckNotModelFolder(string folder, string command)
    {
        if (!File.Exists(Path.Combine(folder, BertModelStore.ConfigFileName)))
        {
            return;
        }

        var parent = Path.GetDirectoryName(FullFolder(folder));
        var runHint = parent is not null && MadeBy(parent) == command
            ? $" To go on with the 'tcd {command}' run whose model it is, give that run's folder, '{Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder))}'."
            : string.Empty;
        throw new CliUsageException(
            $"--out: '{folder}' holds a model ({BertModelStore.ConfigFileName}), not a run: a run keeps its model in <out>/{RunFolders.ModelFolderName}/ " +
            $"and would add its checkpoints and metrics to that model's folder. Give --out a run folder, or a new one.{runHint}");
    }

    /// <summary>
    /// Throws when <paramref name="outputFolder"/> is, contains or lies inside <paramref name="inputPath"/>, the folder
    /// given as <paramref name="inputOption"/>, whose model the run would overwrite.
    /// </summary>
    public static void CheckApart(string outputFolder, string inputPath, string inputOption)
    {
        if (Relation(outputFolder, inputPath) is { } relation)
        {
            throw new CliUsageException(
                $"--out: '{outputFolder}' {relation} the {inputOption} folder '{inputPath}', whose model this run would overwrite; give --out a folder apart from it.");
        }
    }

    /// <summary>
    /// How folder <paramref name="first"/> stands to folder <paramref name="second"/>: "is", "contains", "lies inside",
    /// or null when they lie apart.
    /// </summary>
    public static string? Relation(string first, string second)
    {
        var a = FullFolder(first);
        var b = FullFolder(second);
        return string.Equals(a, b, PathComparison) ? "is"
            : IsInside(b, a) ? "contains"
            : IsInside(a, b) ? "lies inside"
            : null;
    }

    /// <summary>The full path of a folder without a trailing separator, so that two names of one folder compare equal.</summary>
    public static string FullFolder(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    /// <summary>Whether full path <paramref name="path"/> lies inside full path <paramref name="folder"/> (which ends in a separator only when it is a root).</summary>
    private static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, PathComparison);

    /// <summary>How paths compare: Windows file names ignore case.</summary>
    private static StringComparison PathComparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The JSON object in <paramref name="file"/> (a run's <c>tcd-config.json</c>), or null when it is missing or holds something else.</summary>
    public static JsonObject? ReadConfig(string file)
    {
        try
        {
            return File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file)) as JsonObject : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
