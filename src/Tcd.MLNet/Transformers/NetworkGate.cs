namespace Tcd.MLNet.Transformers;

/// <summary>
/// The lock of one network and whether its weights were released, shared by every transformer that runs that network
/// (a featurizer of <c>mlContext.Tcd().Featurize</c> runs the network of the transformer it was made from): a move,
/// save or release through one transformer then waits for a forward pass through another, and a release is seen by all.
/// </summary>
internal sealed class NetworkGate
{
    /// <summary>True once the network's weights were freed; read and written only while this object is locked.</summary>
    public bool WeightsReleased { get; set; }
}
