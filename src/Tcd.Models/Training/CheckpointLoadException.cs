namespace Tcd.Models.Training;

/// <summary>
/// Thrown when a run resumes from a checkpoint it cannot use: a file of it is damaged or unreadable, or it holds the
/// weights of a model of another shape. The message names the checkpoint, the cause and, when there is one, the
/// previous complete checkpoint the run could resume from instead.
/// </summary>
public sealed class CheckpointLoadException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="checkpoint">The checkpoint folder that could not be loaded.</param>
    /// <param name="previousCheckpoint">The newest complete checkpoint older than it, or null.</param>
    /// <param name="file">The file of the checkpoint that was being read.</param>
    /// <param name="cause">What went wrong while loading.</param>
    public CheckpointLoadException(string checkpoint, string? previousCheckpoint, string file, Exception cause)
        : base(BuildMessage(checkpoint, previousCheckpoint, file, cause), cause)
    {
        Checkpoint = checkpoint;
        PreviousCheckpoint = previousCheckpoint;
    }

    /// <summary>The checkpoint folder that could not be loaded.</summary>
    public string Checkpoint { get; }

    /// <summary>The newest complete checkpoint older than <see cref="Checkpoint"/>, or null when there is none.</summary>
    public string? PreviousCheckpoint { get; }

    private static string BuildMessage(string checkpoint, string? previousCheckpoint, string file, Exception cause)
    {
        if (cause is Modeling.StateDictMismatchException mismatch)
        {
            return $"The checkpoint '{checkpoint}' holds the weights of a differently shaped model " +
                   $"({mismatch.Missing.Count} weights missing, {mismatch.Unexpected.Count} unexpected, {mismatch.ShapeMismatches.Count} of another shape): " +
                   "resume with the model configuration that started the run, or start a new run in another folder.";
        }

        var fallback = previousCheckpoint is null
            ? "There is no older checkpoint; start the run over."
            : $"The previous checkpoint '{previousCheckpoint}' is complete: delete the damaged folder to resume from it, or start the run over.";
        return $"The checkpoint '{checkpoint}' cannot be read ({file}: {cause.Message.Split('\n')[0].TrimEnd()}). {fallback}";
    }
}
