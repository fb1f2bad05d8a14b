using System.Runtime.InteropServices;
using Tcd.Models.Runtime;
using TorchSharp;

namespace Tcd.Models.Tests.Runtime;

public class NativeAllocatorTests
{
    [Fact]
    public void TunesGlibcOnLinuxOnceAndLeavesOtherPlatformsAlone()
    {
        var first = NativeAllocator.KeepFreedMemoryForReuse();
        var second = NativeAllocator.KeepFreedMemoryForReuse();

        // The supported Linux targets (Debian, Ubuntu) use glibc, whose mallopt accepts both settings.
        first.Should().Be(OperatingSystem.IsLinux());
        second.Should().Be(first);
    }

    [Fact]
    public void ATensorAboveGlibcsLargestMmapThresholdComesFromTheHeap()
    {
        if (!NativeAllocator.KeepFreedMemoryForReuse())
        {
            return;
        }

        // 48 MiB is above the largest mmap threshold glibc accepts (32 MiB): left alone, glibc maps such a block fresh
        // and every step page-faults it in again; tuned, it comes from the heap. It stays under the 64 MiB a thread's
        // own arena can hold, since this test runs on a worker thread. Other tests may free mapped blocks meanwhile,
        // which only lowers the count, and nothing maps new ones of this size once the allocator is tuned.
        const long bytes = 48L * 1024 * 1024;
        var mappedBefore = (long)GlibcMallocInfo().MappedBytes;
        using var tensor = torch.ones(bytes / sizeof(float));

        ((long)GlibcMallocInfo().MappedBytes).Should().BeLessThan(mappedBefore + bytes);
        tensor.sum().item<float>().Should().Be(bytes / sizeof(float));
    }

    // glibc's struct mallinfo2: ten size_t counters; hblkhd, the fifth, is the bytes held in mmap-ed blocks.
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallocInfo
    {
        private readonly nuint arena, ordblks, smblks, hblks;
        public readonly nuint MappedBytes;
        private readonly nuint usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallocInfo GlibcMallocInfo();
}
