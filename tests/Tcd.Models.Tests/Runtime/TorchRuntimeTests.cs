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
