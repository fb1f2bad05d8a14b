namespace Tcd.MLNet;

/// <summary>What the estimators tell a user whose <c>Fit</c> was cancelled about the run's checkpoints.</summary>
internal static class CheckpointAdvice
{
    /// <summary>Where the cancelled run's checkpoint is, or how to get one next time.</summary>
    /// <param name="lastCheckpoint">The run's newest checkpoint, if it wrote any.</param>
    /// <param name="checkpointDirectory">The run's <c>Training.CheckpointDirectory</c>.</param>
    public static string AfterCancellation(string? lastCheckpoint, string? checkpointDirectory) =>
        lastCheckpoint is not null
            ? $"Its checkpoint is in '{lastCheckpoint}': a Fit with the same options and data resumes from it."
            : checkpointDirectory is null
                ? "Set Training.CheckpointDirectory to keep the weights of a cancelled run and resume it."
                : "There was nothing to save yet.";
}
