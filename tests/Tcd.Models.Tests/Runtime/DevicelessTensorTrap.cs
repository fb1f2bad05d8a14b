using TorchSharp;

namespace Tcd.Models.Tests.Runtime;

/// <summary>
/// Makes libtorch's <c>meta</c> device (shapes, no data) TorchSharp's default device while it lives, so a tensor created
/// without a device lands there, and the first operation that meets it and a real CPU tensor throws "Expected all tensors
/// to be on the same device". Work that runs on the CPU under the trap would, on CUDA, not mix a device-less host tensor
/// with the model's CUDA tensors: no GPU is needed to check that.
/// </summary>
/// <remarks>
/// Stricter than CUDA in one respect: CUDA kernels accept a 0-dim CPU tensor as a scalar operand, meta ones do not.
/// </remarks>
internal sealed class DevicelessTensorTrap : IDisposable
{
    private readonly torch.Device previous = torch.get_default_device();

    public DevicelessTensorTrap() => torch.set_default_device(torch.device("meta"));

    public void Dispose() => torch.set_default_device(previous);
}
