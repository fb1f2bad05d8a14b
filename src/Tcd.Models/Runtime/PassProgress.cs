using System.Diagnostics;

namespace Tcd.Models.Runtime;

/// <summary>
/// Progress of a pass over a known number of items (validation examples, held-out segments, rows predicted) whose
/// batches report the count done: how long the rest of the pass takes at its pace so far, and its reports thinned to
/// tenths for a log.
/// </summary>
public static class PassProgress
{
    /// <summary>The time the <paramref name="total"/> − <paramref name="done"/> items left take at the pace of the done ones; null before any is done.</summary>
    public static TimeSpan? Remaining(TimeSpan elapsed, int done, int total) =>
        done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done)) : null;

    /// <summary>
    /// A sink for the done counts of a pass over <paramref name="total"/> items, starting now, that calls
    /// <paramref name="report"/> with the count and the rest of the pass's time whenever another tenth is done.
    /// </summary>
    public static IProgress<int> InTenths(int total, Action<int, TimeSpan> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var clock = Stopwatch.StartNew();
        return new TenthsProgress<int>(
            new SynchronousProgress<int>(done => report(done, Remaining(clock.Elapsed, done, total) ?? TimeSpan.Zero)),
            done => (double)done / total);
    }
}
