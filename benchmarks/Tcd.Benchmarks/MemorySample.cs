using System.Runtime.InteropServices;
using TorchSharp;

namespace Tcd.Benchmarks;

/// <summary>
/// The memory of this process after <paramref name="Step"/> steps of a soak part: resident memory (see
/// <see cref="ResidentSource"/>), the native memory malloc has handed out and not had back (glibc only, null elsewhere),
/// the managed heap after a full collection, and TorchSharp's live tensors of this thread.
/// </summary>
/// <remarks>
/// Resident memory also holds what the allocator keeps for reuse: <see cref="Tcd.Models.Runtime.NativeAllocator"/> keeps up
/// to 1 GiB of freed memory in the process, so it rises to the highest peak of a step so far (and with free blocks
/// it cannot reuse) even when nothing leaks. Memory in use (glibc's <c>mallinfo2</c>: <c>uordblks + hblkhd</c>) leaves
/// that out, so a leak of native memory shows there first.
/// </remarks>
internal readonly record struct MemorySample(long Step, double ResidentMegabytes, double? MallocMegabytes, double ManagedMegabytes, long LiveTensors)
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
        return new MemorySample(step, ResidentBytes() / Megabyte, MallocBytesInUse() / Megabyte, managed / Megabyte, live);
    }

    /// <summary>Bytes malloc has handed out and not had back, in its heaps and mapped blocks; null without glibc 2.33+.</summary>
    private static long? MallocBytesInUse()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var info = mallinfo2();
            return (long)(info.InUseInHeaps + info.MappedBytes);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
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

    [DllImport("libc.so.6")]
    private static extern MallInfo2 mallinfo2();

    /// <summary>glibc's <c>struct mallinfo2</c>, totals over all arenas.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo2
    {
        public readonly nuint Arena;
        public readonly nuint FreeChunks;
        public readonly nuint FastBins;
        public readonly nuint MappedBlocks;
        public readonly nuint MappedBytes;
        public readonly nuint MaxAllocated;
        public readonly nuint FreeInFastBins;
        public readonly nuint InUseInHeaps;
        public readonly nuint FreeInHeaps;
        public readonly nuint TopPad;
    }
}
