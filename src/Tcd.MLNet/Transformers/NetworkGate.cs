using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// The lock of one network and whether its weights were released, shared by every transformer that runs that network
/// (a featurizer of <c>mlContext.Tcd().Featurize</c>, or two transformers built with the public constructor around one
/// network object): a move, save or release through one transformer then waits for a forward pass through another, and
/// a release is seen by all. There is one gate per network object, looked up by <see cref="Of"/>.
/// </summary>
internal sealed class NetworkGate
{
    // Weak keys: a gate lives as long as its network, and two transformers find the same one whoever made them.
    private static readonly ConditionalWeakTable<nn.Module, NetworkGate> Gates = new();

    private NetworkGate()
    {
    }

    /// <summary>True once the network's weights were freed; read and written only while this object is locked.</summary>
    public bool WeightsReleased { get; set; }

    /// <summary>The gate of <paramref name="network"/> (compared by reference), made the first time it is asked for.</summary>
    public static NetworkGate Of(nn.Module network) => Gates.GetValue(network, _ => new NetworkGate());
}
