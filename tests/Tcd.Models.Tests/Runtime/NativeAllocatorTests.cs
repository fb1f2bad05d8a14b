using Tcd.Models.Runtime;

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
}
