using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// The experts of one Switch MoE layer, each shaped like the dense FFN, with their weights stacked:
/// <c>intermediate_weight</c> [E, I, H], <c>intermediate_bias</c> [E, I], <c>output_weight</c> [E, H, I],
/// <c>output_bias</c> [E, H]. Expert e computes <c>W2[e] GELU(W1[e] x + b1[e]) + b2[e]</c>.
/// </summary>
public sealed class MoeExperts : nn.Module
{
    // Field names are the state-dict names.
    private Parameter intermediate_weight;
    private Parameter intermediate_bias;
    private Parameter output_weight;
    private Parameter output_bias;

    /// <summary>Creates <see cref="BertConfig.ExpertCount"/> experts initialised like the dense FFN (Normal weights, zero biases).</summary>
    public MoeExperts(BertConfig config) : base(nameof(MoeExperts))
    {
        ArgumentNullException.ThrowIfNull(config);
        long e = config.ExpertCount, h = config.HiddenSize, i = config.IntermediateSize;
        intermediate_weight = BertInitializer.NormalParameter([e, i, h], config.InitializerRange);
        intermediate_bias = BertInitializer.ZeroParameter([e, i]);
        output_weight = BertInitializer.NormalParameter([e, h, i], config.InitializerRange);
        output_bias = BertInitializer.ZeroParameter([e, h]);
        RegisterComponents();
    }

    /// <summary>Stacked first-layer weights [E, I, H].</summary>
    public Parameter IntermediateWeight => intermediate_weight;

    /// <summary>Stacked first-layer biases [E, I].</summary>
    public Parameter IntermediateBias => intermediate_bias;

    /// <summary>Stacked second-layer weights [E, H, I].</summary>
    public Parameter OutputWeight => output_weight;

    /// <summary>Stacked second-layer biases [E, H].</summary>
    public Parameter OutputBias => output_bias;

    /// <summary>Runs expert <paramref name="expert"/> on the tokens <paramref name="tokens"/> [N, H]; returns [N, H].</summary>
    public Tensor Forward(int expert, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return Apply(tokens, intermediate_weight[expert], intermediate_bias[expert], output_weight[expert], output_bias[expert])
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs every expert on its own contiguous block of <paramref name="groupedTokens"/> [N, H]: the first
    /// <c>groupSizes[0]</c> rows go to expert 0, the next <c>groupSizes[1]</c> to expert 1, and so on
    /// (<c>N = Σ groupSizes</c>). Returns the outputs in the same row order, [N, H]. Experts with an empty block cost nothing.
    /// </summary>
    /// <param name="groupedTokens">Tokens sorted by expert, [N, H].</param>
    /// <param name="groupSizes">Rows per expert, one entry per expert.</param>
    /// <exception cref="ArgumentException">The sizes do not match the expert count or do not add up to N.</exception>
    public Tensor ForwardGrouped(Tensor groupedTokens, IReadOnlyList<long> groupSizes)
    {
        ArgumentNullException.ThrowIfNull(groupedTokens);
        ArgumentNullException.ThrowIfNull(groupSizes);
        var expertCount = intermediate_weight.shape[0];
        if (groupSizes.Count != expertCount || groupSizes.Any(size => size < 0) || groupSizes.Sum() != groupedTokens.shape[0])
        {
            throw new ArgumentException(
                $"ForwardGrouped needs {expertCount} non-negative group sizes adding up to the {groupedTokens.shape[0]} token rows, " +
                $"got [{string.Join(", ", groupSizes)}].", nameof(groupSizes));
        }

        using var scope = NewDisposeScope();
        // Unbinding the stacks once gives one backward node per weight that stacks the experts' gradients; indexing
        // them per expert would instead scatter every expert's gradient into its own full-size [E, ...] zero tensor.
        var w1 = intermediate_weight.unbind(0);
        var b1 = intermediate_bias.unbind(0);
        var w2 = output_weight.unbind(0);
        var b2 = output_bias.unbind(0);
        // Likewise one split (backward: one cat) rather than a narrow per expert (backward: a zero-filled [N, H] each).
        var blocks = groupedTokens.split(groupSizes.ToArray(), dim: 0);
        var outputs = new List<Tensor>(groupSizes.Count);
        for (var expert = 0; expert < groupSizes.Count; expert++)
        {
            if (groupSizes[expert] > 0)
            {
                outputs.Add(Apply(blocks[expert], w1[expert], b1[expert], w2[expert], b2[expert]));
            }
        }

        var result = outputs.Count switch
        {
            0 => zeros_like(groupedTokens),
            1 => outputs[0],
            _ => cat(outputs, dim: 0),
        };
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor Apply(Tensor tokens, Tensor w1, Tensor b1, Tensor w2, Tensor b2) =>
        nn.functional.linear(nn.functional.gelu(nn.functional.linear(tokens, w1, b1)), w2, b2);
}
