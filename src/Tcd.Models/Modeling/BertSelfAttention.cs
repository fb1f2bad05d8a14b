using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Multi-head scaled dot-product self-attention with an additive padding mask and dropout on the attention
/// probabilities (Hugging Face <c>BertSelfAttention</c>, SDPA path; keys <c>query</c>, <c>key</c>, <c>value</c>).
/// </summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor, (Tensor Context, Tensor Queries, Tensor Keys)>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly double attentionDropout;
    private readonly int heads;
    private readonly int headSize;

    /// <summary>Creates the query, key and value projections for <paramref name="config"/>.</summary>
    public BertSelfAttention(BertConfig config) : base(nameof(BertSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        heads = config.NumHeads;
        headSize = config.HeadSize;
        query = BertInitializer.Linear(config.HiddenSize, config.HiddenSize, config.InitializerRange);
        key = BertInitializer.Linear(config.HiddenSize, config.HiddenSize, config.InitializerRange);
        value = BertInitializer.Linear(config.HiddenSize, config.HiddenSize, config.InitializerRange);
        attentionDropout = config.AttentionDropout;
        RegisterComponents();
    }

    /// <summary>
    /// Attends over <paramref name="hidden"/> [B, T, H]. <paramref name="additiveMask"/> [B, 1, 1, T] holds 0 for real
    /// tokens and the dtype's most negative value for padding. Returns the context [B, T, H] and the queries and keys
    /// [B, heads, T, head size].
    /// </summary>
    public override (Tensor Context, Tensor Queries, Tensor Keys) forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var queries = SplitHeads(query.forward(hidden));
        var keys = SplitHeads(key.forward(hidden));
        var values = SplitHeads(value.forward(hidden));
        // softmax(q k^T / sqrt(d) + mask) v with dropout on the probabilities, through libtorch's fused kernels.
        var context = nn.functional.scaled_dot_product_attention(
            queries, keys, values, additiveMask, training ? attentionDropout : 0.0, false).permute(0, 2, 1, 3).contiguous();
        context = context.reshape(context.shape[0], context.shape[1], heads * headSize);
        return (context.MoveToOuterDisposeScope(), queries.MoveToOuterDisposeScope(), keys.MoveToOuterDisposeScope());
    }

    private Tensor SplitHeads(Tensor projected) =>
        projected.view(projected.shape[0], projected.shape[1], heads, headSize).permute(0, 2, 1, 3);
}
