using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Data;

/// <summary>Selects the prediction targets of an MLM batch, so the vocabulary projection runs only where it is scored.</summary>
public static class MaskedPositions
{
    /// <summary>
    /// Returns the flat indices (into B·T) of the positions whose label is not -100, and their labels [N].
    /// </summary>
    public static (Tensor Positions, Tensor Labels) Select(Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var flat = labels.reshape(-1);
        using var ignoreIndex = BertBatch.IgnoreIndex.ToScalar();
        var positions = flat.ne(ignoreIndex).nonzero().reshape(-1);
        return (positions, flat.index_select(0, positions));
    }
}
