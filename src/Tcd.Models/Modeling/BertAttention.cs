using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Attention sublayer: <c>self</c> (<see cref="BertSelfAttention"/>) then <c>output</c> (projection, dropout,
/// adapter, <c>LayerNorm(x + input)</c>), as Hugging Face <c>BertAttention</c>.
/// </summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor, BertAttentionOutput>
{
    private readonly BertSelfAttention self;
    private readonly BertSublayerOutput output;

    /// <summary>Creates the attention sublayer for <paramref name="config"/>.</summary>
    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        self = new BertSelfAttention(config);
        output = new BertSublayerOutput(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>The projection, adapter and LayerNorm that end this sublayer.</summary>
    public BertSublayerOutput Output => output;

    /// <summary>Runs attention over <paramref name="hidden"/> [B, T, H] with the additive mask [B, 1, 1, T].</summary>
    public override BertAttentionOutput forward(Tensor hidden, Tensor additiveMask)
    {
        var (context, queries, keys) = self.forward(hidden, additiveMask);
        var (inner, result) = output.forward(context, hidden);
        return new BertAttentionOutput(result, inner, queries, keys);
    }
}
