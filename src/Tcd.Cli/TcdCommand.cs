using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Data.Glue;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using Tcd.Reports;

namespace Tcd.Cli;

/// <summary>
/// One sub-command: its options, how they become <typeparamref name="TSettings"/> (command line &gt; config file &gt;
/// defaults) and what it does with them. User errors end with a one-line message and exit code 1.
/// </summary>
internal abstract class TcdCommand<TSettings> : ITcdCommand
{
    protected TcdCommand(string name, string description)
    {
        Command = new Command(name, description);
        ConfigOption = Add(CliOptions.Config());
    }

    public Command Command { get; }

    public Option<string?> ConfigOption { get; }

    /// <summary>The settings a parsed command line (and its config file) asks for.</summary>
    public TSettings Read(ParseResult parse) => Read(OptionReader.Create(parse, ConfigOption));

    /// <summary>Runs the command; returns the process exit code.</summary>
    public abstract int Execute(TSettings settings, CliConsole console, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the command run with <paramref name="console"/> when invoked, on the invoking thread, until
    /// <paramref name="cancellationToken"/> asks it to stop.
    /// </summary>
    public void Bind(Func<CliConsole> console, CancellationToken cancellationToken)
    {
        // Here, not in the constructor: only now has the command all its options, which the example takes its keys from.
        CliOptions.DescribeConfig(ConfigOption, Command);
        Command.SetAction(parse => Invoke(parse, console(), cancellationToken));
    }

    protected abstract TSettings Read(OptionReader options);

    protected T Add<T>(T option)
        where T : Option
    {
        Command.Add(option);
        return option;
    }

    /// <summary>
    /// Writes <paramref name="values"/> as indented JSON (results, effective settings), replacing the file whole: a process
    /// killed meanwhile leaves the old file, which a resume reads, not a truncated one.
    /// </summary>
    protected static void WriteJson(string path, object values) =>
        CheckpointStore.ReplaceAtomically(path, JsonSerializer.Serialize(values, TcdJson.Indented));

    /// <summary>
    /// Writes the effective option values as a config file that reproduces the run with <c>--config</c>, led by the name
    /// of this command (<see cref="RunFolderGuard.CommandKey"/>), which tells later commands whose run the folder holds.
    /// </summary>
    /// <param name="path">The file, e.g. <c>&lt;out&gt;/tcd-config.json</c>.</param>
    /// <param name="values">The values by key, as <see cref="OptionReader.Resolved"/> holds them.</param>
    protected void WriteEffectiveConfig(string path, IReadOnlyDictionary<string, JsonNode?> values) =>
        WriteJson(path, new JsonObject(
            values.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))
                .Prepend(KeyValuePair.Create(RunFolderGuard.CommandKey, (JsonNode?)JsonValue.Create(Command.Name)))));

    /// <summary>
    /// Locks a training command's <c>--out</c> for the run (<see cref="FolderLock"/>), so that a second invocation given
    /// the same folder fails at once, naming this one, instead of the two writing each other's files and checkpoints.
    /// The command locks <c>--out</c> before it reads the run found there; the training engine locks the run's checkpoint
    /// folder, <c>--out/checkpoints</c>, itself, so that no folder is locked twice and library callers are covered too.
    /// Record a <see cref="RunFolderStart"/> first: the lock creates the folder when it is missing.
    /// </summary>
    /// <exception cref="FolderInUseException">Another run holds the folder.</exception>
    protected static FolderLock LockRunFolder(string folder) => FolderLock.Acquire(folder, "run folder", "give another --out");

    private int Invoke(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            return Execute(Read(parse), console, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Thrown by the commands that compute first and write at the end (eval, predict, xpert, plot, import-hf,
            // export-hf); the training commands return what they saved instead, and glue says which cells it kept.
            console.Line($"tcd {Command.Name}: cancelled; nothing was written.");
            return 130;
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            console.Error.WriteLine($"tcd {Command.Name}: error: {UserMessages.Readable(ex)}");
            return 1;
        }
    }

    private static bool IsUserError(Exception ex) => ex is CliUsageException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or GlueFormatException or StateDictMismatchException or TorchNativeLibraryException
        or TrainingDivergedException or CheckpointLoadException or FolderInUseException or MetricsFormatException or ArgumentException or JsonException;
}
