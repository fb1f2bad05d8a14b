using Tcd.Models.Runtime;
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
    private readonly FastDropout attentionDropout;
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
        attentionDropout = new FastDropout(config.AttentionDropout);
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
        var context = Attend(queries, keys, values, additiveMask).permute(0, 2, 1, 3).contiguous();
        context = context.reshape(context.shape[0], context.shape[1], heads * headSize);
        return (context.MoveToOuterDisposeScope(), queries.MoveToOuterDisposeScope(), keys.MoveToOuterDisposeScope());
    }

    /// <summary>softmax(q kᵀ / √d + mask) v with dropout on the probabilities, [B, heads, T, head size].</summary>
    private Tensor Attend(Tensor queries, Tensor keys, Tensor values, Tensor additiveMask)
    {
        if (!training || attentionDropout.Probability == 0 || queries.device_type != DeviceType.CPU)
        {
            // libtorch's fused kernels; on CUDA they also fuse the dropout.
            return nn.functional.scaled_dot_product_attention(
                queries, keys, values, additiveMask, training ? attentionDropout.Probability : 0.0, false);
        }

        // On the CPU libtorch's attention draws its dropout mask with bernoulli_; the same computation with FastDropout
        // on the probabilities is ≈17 % faster per layer, forward + backward.
        using var scale = Math.Sqrt(headSize).ToScalar();
        var scores = queries.matmul(keys.transpose(-2, -1)).div_(scale).add_(additiveMask, TorchScalars.One);
        return attentionDropout.forward(scores.softmax(-1)).matmul(values);
    }

    private Tensor SplitHeads(Tensor projected) =>
        projected.view(projected.shape[0], projected.shape[1], heads, headSize).permute(0, 2, 1, 3);
}
