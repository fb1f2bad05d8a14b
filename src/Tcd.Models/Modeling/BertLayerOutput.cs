using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>What one Transformer layer produces.</summary>
/// <param name="Attention">The attention sublayer's outputs (trunk, inner, queries, keys).</param>
/// <param name="Output">The layer output, the FFN/MoE post-LayerNorm [B, T, H] (a trunk tap).</param>
/// <param name="FeedForwardInner">The FFN/MoE output after dropout and adapter, before the residual add [B, T, H].</param>
/// <param name="Routing">The MoE routing record, or null in a vanilla layer.</param>
public sealed record BertLayerOutput(BertAttentionOutput Attention, Tensor Output, Tensor FeedForwardInner, MoeRouting? Routing);
