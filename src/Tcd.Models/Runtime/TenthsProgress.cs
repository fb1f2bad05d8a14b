using System.Diagnostics;

namespace Tcd.Models.Runtime;

/// <summary>
/// Thins the per-batch counts of a pass over <c>total</c> items (rows predicted, examples validated) for a log: passes
/// on a count that completes another tenth, and, given <c>quietest</c>, any that comes that long after the last one
/// passed on, so a log gets about ten lines a pass, yet is never silent for minutes on a big input.
/// </summary>
/// <param name="inner">Receives the counts passed on.</param>
/// <param name="total">How many items the pass covers.</param>
/// <param name="quietest">The longest wait for the next count passed on; null passes on tenths only (deterministic).</param>
public sealed class TenthsProgress(IProgress<int> inner, int total, TimeSpan? quietest = null) : IProgress<int>
{
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();
    private int tenthsReported;

    /// <summary>Passes <paramref name="value"/> on when it completes another tenth, or after <c>quietest</c> without one.</summary>
    /// <param name="value">Items done so far.</param>
    public void Report(int value)
    {
        var tenths = (int)(10L * value / Math.Max(1, total));
        if (tenths > tenthsReported || sinceLast.Elapsed >= quietest)
        {
            tenthsReported = tenths;
            sinceLast.Restart();
            inner.Report(value);
        }
    }
}
