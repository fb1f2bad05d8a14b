using static TorchSharp.torch;

namespace Tcd.MLNet.Serialization;

/// <summary>Makes a transformer around a network just loaded, which nothing else holds yet.</summary>
internal static class LoadedNetwork
{
    /// <summary>
    /// Returns what <paramref name="wrap"/> makes around <paramref name="network"/>; when it throws (settings the
    /// transformer refuses, a damaged label schema...), frees the network first, since no transformer will.
    /// </summary>
    public static T Wrap<T>(nn.Module network, Func<T> wrap)
    {
        try
        {
            return wrap();
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
