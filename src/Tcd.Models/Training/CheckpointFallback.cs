namespace Tcd.Models.Training;

/// <summary>
/// Runs a training that resumes from the newest checkpoint of its folder, and trains again instead of failing when that
/// checkpoint cannot be used: for a caller that owns the folder and would rather lose steps than stop (a suite, a
/// sample), where a library caller is told by <see cref="CheckpointLoadException"/> or
/// <see cref="CheckpointMismatchException"/> and decides.
/// </summary>
public static class CheckpointFallback
{
    /// <summary>
    /// Runs <paramref name="train"/>, which resumes from the newest checkpoint in <paramref name="checkpointDirectory"/>.
    /// A damaged newest checkpoint (<see cref="CheckpointLoadException"/> with a previous complete one) is deleted and
    /// <paramref name="train"/> run again, resuming from the one before it, so that only the steps since that one are
    /// lost; a damaged checkpoint with none before it, or a checkpoint of another run
    /// (<see cref="CheckpointMismatchException"/>), has the whole folder deleted and <paramref name="train"/> run once
    /// more, from its first step. Each time <paramref name="warn"/> says which checkpoint, why, and what happens instead,
    /// e.g. <c>'…/step-00000010' cannot be read (…); resuming from '…/step-00000005'</c>.
    /// </summary>
    /// <typeparam name="T">What the training returns.</typeparam>
    /// <param name="checkpointDirectory">The checkpoint folder <paramref name="train"/> resumes from and saves to.</param>
    /// <param name="train">The training; it must resume from the newest checkpoint of the folder each time it runs.</param>
    /// <param name="warn">Receives a line for each checkpoint dropped, without a closing full stop.</param>
    /// <returns>What <paramref name="train"/> returned.</returns>
    /// <exception cref="IOException">A damaged checkpoint cannot be deleted.</exception>
    /// <remarks>
    /// Any other exception of <paramref name="train"/> propagates and leaves the folder as it is, and so do the two
    /// checkpoint exceptions when the run from the first step throws them again.
    /// </remarks>
    public static T TrainDroppingUnusableCheckpoints<T>(string checkpointDirectory, Func<T> train, Action<string> warn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(warn);
        var store = new CheckpointStore(checkpointDirectory);
        while (true)
        {
            try
            {
                return train();
            }
            catch (CheckpointLoadException ex) when (ex.PreviousCheckpoint is { } previous)
            {
                warn($"{CannotBeRead(ex)}; resuming from '{previous}'");
                // Each pass deletes one checkpoint, so the loop ends at the latest with the one before none.
                store.Discard(ex.Checkpoint);
            }
            catch (Exception ex) when (ex is CheckpointMismatchException or CheckpointLoadException)
            {
                var reason = ex is CheckpointMismatchException mismatch
                    ? $"'{mismatch.Checkpoint}' belongs to another run ({string.Join("; ", mismatch.Differences)})"
                    : CannotBeRead((CheckpointLoadException)ex);
                warn($"{reason}; training from the first step");
                // Every folder, not only the step checkpoints: a fine-tuning's best-epoch weights belong to its run too.
                store.DeleteAll(savedFolderPrefix: string.Empty);
                return train();
            }
        }
    }

    /// <summary>Which checkpoint cannot be read, and why: the reason names the file when the file's reader does.</summary>
    private static string CannotBeRead(CheckpointLoadException ex) =>
        $"'{ex.Checkpoint}' cannot be read ({ex.InnerException?.Message.Split('\n')[0].TrimEnd()})";
}
