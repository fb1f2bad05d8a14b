using System.Runtime.InteropServices;

namespace Tcd.Models.Runtime;

/// <summary>
/// Tunes the C allocator that libtorch's CPU tensors come from, so that a training step reuses the memory the previous
/// step freed instead of getting fresh pages from the kernel for every large tensor.
/// </summary>
/// <remarks>
/// <para>
/// libtorch allocates CPU tensors with <c>malloc</c>. glibc serves blocks above its mmap threshold (128 KiB at first,
/// adjusted at run time, at most 32 MiB) with a fresh <c>mmap</c> and returns them with <c>munmap</c>, and it trims the
/// top of the heap back to the kernel once more than its trim threshold is free. A training step creates and frees
/// hundreds of activation and gradient tensors, so every one of them page-faults again: measured on one CPU thread,
/// the backward of an L2 normalisation of a <c>[32, 128, 128]</c> tensor took 9.3 ms with glibc's defaults and 2.0 ms
/// with the heap kept, and a paper-small MoE step spent about a tenth of its time in the kernel.
/// </para>
/// <para>
/// Here no block is served by <c>mmap</c> (<c>M_MMAP_MAX</c> 0) and up to 1 GiB of free memory at the top of the heap
/// stays in the process (<c>M_TRIM_THRESHOLD</c>): freed blocks of any size go back to the heap and are reused by the
/// next step. Raising the mmap threshold instead, as PyTorch's CPU performance guides suggest
/// (<c>MALLOC_MMAP_THRESHOLD_</c>), stops at glibc's 32 MiB ceiling, and the masked-LM head's logits, log-probabilities
/// and their gradients (<c>[masked tokens, 30,522]</c>, 75 MB each for a batch of 32 × 128) are above it: a
/// paper-small vanilla pre-training run on one thread took ≈120,000 page faults per step with that setting and
/// ≈10,000 with this one, and its steps were 10–20 % faster (see docs/benchmarks.md).
/// </para>
/// <para>
/// That holds for the main thread, whose heap can grow to any size. glibc gives each other thread that allocates a
/// heap of its own, which holds at most 64 MiB in one piece and maps anything larger fresh whatever the settings, so
/// train on the main thread where such blocks occur (the <c>tcd</c> tool does). Resident memory stays near the peak
/// of a step instead of rising and falling every step. The settings are process-wide and last until the process
/// exits. Only glibc on Linux is changed; elsewhere (Windows, macOS, musl) nothing happens.
/// </para>
/// </remarks>
public static class NativeAllocator
{
    /// <summary>Free memory at the top of the heap that glibc keeps before returning any of it to the kernel.</summary>
    internal const int TrimThresholdBytes = 1024 * 1024 * 1024;

    private const int MallocTrimThreshold = -1;
    private const int MallocMmapMax = -4;

    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Keeps freed native memory in the process for reuse (glibc on Linux; a no-op elsewhere). Safe to call many
    /// times and from several threads; the settings are applied once.
    /// </summary>
    /// <returns>True when the allocator was tuned, false when this platform's allocator is left as it is.</returns>
    public static bool KeepFreedMemoryForReuse() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // mallopt returns 1 on success; without glibc (musl) the library is missing and nothing changes.
            return mallopt(MallocMmapMax, 0) == 1
                && mallopt(MallocTrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // glibc's soname; "libc" alone can resolve to the linker script libc.so where development files are installed.
    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
