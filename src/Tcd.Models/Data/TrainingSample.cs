namespace Tcd.Models.Data;

/// <summary>
/// Caps a training set with a fixed random sample rather than its first rows: GLUE's training files are ordered by
/// source or label (the first 2,000 rows of STS-B are all image captions; CoLA is grouped by source), so their first
/// rows are no sample of the task.
/// </summary>
public static class TrainingSample
{
    /// <summary>
    /// At most <paramref name="maxCount"/> of <paramref name="rows"/>: all of them, in order, when there are no more;
    /// else a random sample with a fixed seed, in shuffled order, so the same rows give the same sample every run.
    /// </summary>
    /// <param name="rows">The training rows.</param>
    /// <param name="maxCount">The cap, or null for all rows.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is below 1.</exception>
    public static IReadOnlyList<T> Draw<T>(IReadOnlyList<T> rows, int? maxCount)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (maxCount is not { } cap || rows.Count <= cap)
        {
            return rows;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1, nameof(maxCount));
        var shuffled = rows.ToArray();
        new Random(0).Shuffle(shuffled);
        return shuffled.Take(cap).ToList();
    }
}
