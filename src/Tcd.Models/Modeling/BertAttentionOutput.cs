using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>What one attention sublayer produces.</summary>
/// <param name="Output">The post-LayerNorm output [B, T, H] (a trunk tap).</param>
/// <param name="Inner">The output projection after dropout and adapter, before the residual add [B, T, H].</param>
/// <param name="Queries">The queries [B, heads, T, head size].</param>
/// <param name="Keys">The keys [B, heads, T, head size].</param>
public sealed record BertAttentionOutput(Tensor Output, Tensor Inner, Tensor Queries, Tensor Keys);
