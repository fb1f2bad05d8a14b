using Tcd.Models.Runtime;
using TorchSharp;

namespace Tcd.Models.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void EnsureAvailable_LoadsLibtorch()
    {
        var act = TorchRuntime.EnsureAvailable;

        act.Should().NotThrow();
        torch.ones(2, 3).sum().item<float>().Should().Be(6f);
    }

    [Fact]
    public void Diagnose_OldLibStdCxx_NamesTheSymbolAndTheFix()
    {
        var oldLib = Path.GetTempFileName();
        File.WriteAllText(oldLib, "GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0");
        try
        {
            var message = TorchRuntime.Diagnose(new NotSupportedException("loader trace\nline 2"), oldLib);

            message.Should().Contain("GLIBCXX_3.4.32").And.Contain("ensure-native.sh").And.NotContain("line 2");
        }
        finally
        {
            File.Delete(oldLib);
        }
    }

    [Fact]
    public void The_libstdcxx_of_a_process_is_read_from_its_maps()
    {
        string[] maps =
        [
            "55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1234 /usr/share/dotnet/dotnet",
            "55d0c1c3f000-55d0c1c60000 rw-p 00000000 00:00 0 [heap]",
            "7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0",
            "7f1c2b200000-7f1c2b29a000 r--p 00000000 08:01 5678 /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.33",
            "7f1c2b600000-7f1c2b628000 r--p 00000000 08:01 9012 /usr/lib/x86_64-linux-gnu/libc.so.6",
        ];

        TorchRuntime.LibStdCxxIn(maps).Should().Be("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.33");
        TorchRuntime.LibStdCxxIn(maps.Where(line => !line.Contains("libstdc++", StringComparison.Ordinal))).Should().BeNull();
    }

    [Fact]
    public void A_loaded_libstdcxx_without_the_symbol_fails_the_load_before_the_loader_runs_and_is_named_with_the_fix()
    {
        var oldLib = Path.GetTempFileName();
        File.WriteAllText(oldLib, "GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0");
        try
        {
            var failure = TorchRuntime.LoadedLibStdCxxFailure(oldLib);

            failure.Should().NotBeNull();
            TorchRuntime.Diagnose(failure!, oldLib).Should().Contain($"Cause: {oldLib} does not provide GLIBCXX_3.4.32").And.Contain("ensure-native.sh");
            TorchRuntime.LoadedLibStdCxxFailure(oldLib + " (deleted)").Should().BeNull("a library replaced since it was loaded cannot be read to judge it");
            TorchRuntime.LoadedLibStdCxxFailure(null).Should().BeNull();
        }
        finally
        {
            File.Delete(oldLib);
        }
    }

    [Fact]
    public void This_process_has_loaded_a_libstdcxx_that_libtorch_accepts()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var loaded = TorchRuntime.LoadedLibStdCxx();

        loaded.Should().NotBeNull("the .NET runtime links libstdc++");
        File.Exists(loaded).Should().BeTrue();
        TorchRuntime.LoadedLibStdCxxFailure(loaded).Should().BeNull("libtorch loads in this process");
    }

    [Fact]
    public void Diagnose_NoBackendPackage_SaysWhichPackageToReference()
    {
        var message = TorchRuntime.Diagnose(
            new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64"),
            libStdCxxPath: null);

        message.Should().Contain("TorchSharp-cpu").And.Contain("TorchSharp-cuda-linux");
    }

    [Fact]
    public void Diagnose_LoaderFailureInsideTorchsStaticConstructor_NamesTheInnerCause()
    {
        // TorchSharp loads libtorch in the static constructor of torch, so the failure arrives wrapped.
        var failure = new TypeInitializationException("TorchSharp.torch", new NotSupportedException(
            "The libtorch-cpu-linux-x64 package version 2.10.0.0 is not restored on this system.\nTrace from LoadNativeBackend:\nStep 1"));

        var message = TorchRuntime.Diagnose(failure, libStdCxxPath: null);

        message.Should().Contain("TorchSharp-cpu").And.NotContain("type initializer").And.NotContain("Step 1");
    }

    [Fact]
    public void ResolveDevice_CudaWithoutCuda_ThrowsClearError()
    {
        if (torch.cuda.is_available())
        {
            return;
        }

        var act = () => TorchRuntime.ResolveDevice("cuda");

        act.Should().Throw<ArgumentException>().WithMessage("Device 'cuda' asks for CUDA, but CUDA is not available*TorchSharp-cuda-linux*tcd tool build it from source*no NVIDIA GPU and driver*")
            .Which.Message.Should().NotContain("(Parameter");
        TorchRuntime.ResolveDevice("auto").type.Should().Be(DeviceType.CPU);
    }

    [Fact]
    public void DescribeDevice_NamesCudaDevicesAndCountsCpuThreads()
    {
        TorchRuntime.DescribeDevice(torch.CPU, threads: 1).Should().Be("cpu, 1 thread");
        TorchRuntime.DescribeDevice(torch.CPU, threads: 4).Should().Be("cpu, 4 threads");
        TorchRuntime.DescribeDevice(torch.CPU).Should().StartWith($"cpu, {torch.get_num_threads()} thread");
        TorchRuntime.DescribeDevice(new torch.Device("cuda:1"), threads: 4).Should().Be("cuda:1", "threads are the CPU's");
    }

    [Fact]
    public void ResolveDevice_UnknownName_ListsTheValidNames()
    {
        var act = () => TorchRuntime.ResolveDevice("gpu");
        var fromCommandLine = () => TorchRuntime.ResolveDevice("gpu", "--device");

        act.Should().Throw<ArgumentException>().WithMessage("Device 'gpu' is not a device name*cpu*cuda*auto*")
            .Which.Message.Should().NotContain("(Parameter", "the option is named in the message, not by the method's parameter");
        fromCommandLine.Should().Throw<ArgumentException>().WithMessage("--device 'gpu' is not a device name*");
    }
}
