using System.Diagnostics;

namespace Tcd.Benchmarks;

/// <summary>
/// One measured interval: wall time and this process's CPU time. On a machine shared with other jobs the wall time
/// grows with their load while the CPU time stays close to the work done, so both are reported.
/// </summary>
internal readonly record struct Timing(double WallSeconds, double CpuSeconds)
{
    public static Mark Start() => new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime);

    /// <summary>A point in time, wall and CPU.</summary>
    public readonly record struct Mark(long WallTimestamp, TimeSpan CpuTime)
    {
        public Timing Elapsed()
        {
            var now = Start();
            return new Timing(Stopwatch.GetElapsedTime(WallTimestamp, now.WallTimestamp).TotalSeconds, (now.CpuTime - CpuTime).TotalSeconds);
        }
    }
}
