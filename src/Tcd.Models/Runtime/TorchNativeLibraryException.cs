namespace Tcd.Models.Runtime;

/// <summary>
/// Thrown when TorchSharp's native library (libtorch) cannot be loaded on this machine.
/// The message names the cause and the fix; the loader's own trace is kept as the inner exception.
/// </summary>
public sealed class TorchNativeLibraryException : InvalidOperationException
{
    /// <summary>Creates the exception with a diagnosis and the loader's original exception.</summary>
    public TorchNativeLibraryException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
