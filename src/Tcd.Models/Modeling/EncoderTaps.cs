namespace Tcd.Models.Modeling;

/// <summary>
/// Intermediate encoder outputs that <see cref="BertModel"/> collects on request (for distillation losses).
/// A tap that is not requested costs nothing.
/// </summary>
[Flags]
public enum EncoderTaps
{
    /// <summary>Collect nothing.</summary>
    None = 0,

    /// <summary>
    /// The output of every post-sublayer LayerNorm, [B, T, H], two per layer in the order
    /// layer 0 attention, layer 0 FFN/MoE, layer 1 attention, ... (the last equals the sequence output).
    /// </summary>
    Trunk = 1,

    /// <summary>
    /// Every sublayer output before the residual add, [B, T, H], two per layer: the attention output projection and
    /// the FFN/MoE output, each after dropout and adapter.
    /// </summary>
    Inner = 2,

    /// <summary>Per layer, the attention queries and keys, [B, heads, T, head size] (before scaling).</summary>
    QueryKey = 4,

    /// <summary>Every tap.</summary>
    All = Trunk | Inner | QueryKey,
}
