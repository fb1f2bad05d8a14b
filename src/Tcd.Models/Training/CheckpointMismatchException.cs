namespace Tcd.Models.Training;

/// <summary>
/// Thrown when a run would resume from a checkpoint of another run: one trained on other examples or with settings
/// that decide the order and content of its steps. The message names each difference.
/// </summary>
public sealed class CheckpointMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="checkpoint">The checkpoint folder that belongs to another run.</param>
    /// <param name="differences">Each difference in words, e.g. "BatchSize 32 (now 16)".</param>
    /// <param name="paramName">The argument that holds the settings.</param>
    public CheckpointMismatchException(string checkpoint, IReadOnlyList<string> differences, string paramName)
        : base(
            $"The checkpoint '{checkpoint}' belongs to another run: {string.Join("; ", differences)}. Resume with what started that run, " +
            "give another CheckpointDirectory, or set Resume to false to start over.",
            paramName)
    {
        Checkpoint = checkpoint;
        Differences = differences;
    }

    /// <summary>The checkpoint folder that belongs to another run.</summary>
    public string Checkpoint { get; }

    /// <summary>Each difference in words, e.g. "BatchSize 32 (now 16)".</summary>
    public IReadOnlyList<string> Differences { get; }
}
