using TorchSharp;

namespace Tcd.Benchmarks;

/// <summary>
/// The memory of this process after <paramref name="Step"/> steps of a soak part: resident memory (see
/// <see cref="ResidentSource"/>), the managed heap after a full collection, and TorchSharp's live tensors of this thread.
/// </summary>
internal readonly record struct MemorySample(long Step, double ResidentMegabytes, double ManagedMegabytes, long LiveTensors)
{
    private const string StatusFile = "/proc/self/status";
    private const double Megabyte = 1024 * 1024;

    /// <summary>Where <see cref="ResidentMegabytes"/> comes from on this machine.</summary>
    public static string ResidentSource => File.Exists(StatusFile) ? "VmRSS of /proc/self/status" : "Environment.WorkingSet";

    /// <summary>
    /// Collects garbage fully (finalizers included, so a tensor left to the finalizer frees its native memory now and
    /// is not mistaken for native growth) and reads the three figures.
    /// </summary>
    public static MemorySample Take(long step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        // Tensors created minus disposed on this thread, in and outside dispose scopes (exact since TorchSharp 0.103);
        // the engines run their steps on the caller's thread. A tensor freed by the finalizer is not subtracted.
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        return new MemorySample(step, ResidentBytes() / Megabyte, managed / Megabyte, live);
    }

    private static long ResidentBytes()
    {
        if (!File.Exists(StatusFile))
        {
            return Environment.WorkingSet;
        }

        // "VmRSS:     123456 kB"
        var line = File.ReadLines(StatusFile).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
