using System.Diagnostics;

namespace Tcd.Benchmarks;

/// <summary>
/// One measured interval: wall time, this process's CPU time and the page faults it took. On a machine shared with
/// other jobs the wall time grows with their load while the CPU time stays close to the work done, so both are
/// reported. Page faults show memory the step had to get fresh from the kernel instead of reusing: a step that
/// still faults is not yet in the steady state of a long run.
/// </summary>
/// <param name="WallSeconds">Elapsed wall-clock time.</param>
/// <param name="CpuSeconds">CPU time of this process, user and kernel.</param>
/// <param name="PageFaults">Minor page faults of this process (Linux); null where the count cannot be read.</param>
internal readonly record struct Timing(double WallSeconds, double CpuSeconds, long? PageFaults)
{
    public static Mark Start() => new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime, MinorPageFaults());

    /// <summary>
    /// This process's minor page faults so far: field 10 of <c>/proc/self/stat</c>, counted after the command name,
    /// which is in parentheses and may itself contain spaces.
    /// </summary>
    private static long? MinorPageFaults()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A point in time: wall clock, CPU time and page-fault count.</summary>
    public readonly record struct Mark(long WallTimestamp, TimeSpan CpuTime, long? PageFaults)
    {
        public Timing Elapsed()
        {
            var now = Start();
            return new Timing(
                Stopwatch.GetElapsedTime(WallTimestamp, now.WallTimestamp).TotalSeconds,
                (now.CpuTime - CpuTime).TotalSeconds,
                now.PageFaults - PageFaults);
        }
    }
}
