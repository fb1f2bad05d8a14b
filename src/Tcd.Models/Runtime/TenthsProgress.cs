using System.Diagnostics;

namespace Tcd.Models.Runtime;

/// <summary>
/// Thins the per-batch reports of a long pass (rows predicted, examples validated, segments routed) for a log: passes
/// on a report that completes another tenth of the pass, and, given <c>quietest</c>, any that comes that long after the
/// last one passed on, so a log gets about ten lines a pass, yet is never silent for minutes on a big input.
/// </summary>
/// <typeparam name="T">The report.</typeparam>
/// <param name="inner">Receives the reports passed on.</param>
/// <param name="fraction">How far a report says the pass is, 0..1.</param>
/// <param name="quietest">The longest wait for the next report passed on; null passes on tenths only (deterministic).</param>
public sealed class TenthsProgress<T>(IProgress<T> inner, Func<T, double> fraction, TimeSpan? quietest = null) : IProgress<T>
{
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();
    private int tenthsReported;

    /// <summary>Passes <paramref name="value"/> on when it completes another tenth, or after <c>quietest</c> without one.</summary>
    /// <param name="value">The report.</param>
    public void Report(T value)
    {
        var tenths = (int)Math.Floor(10 * fraction(value));
        if (tenths > tenthsReported || sinceLast.Elapsed >= quietest)
        {
            tenthsReported = Math.Max(tenthsReported, tenths);
            sinceLast.Restart();
            inner.Report(value);
        }
    }
}
