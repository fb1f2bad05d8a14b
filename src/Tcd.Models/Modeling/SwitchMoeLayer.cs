using Tcd.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Switch Transformer (Fedus et al.) top-1 Mixture-of-Experts FFN: router <c>p(x) = softmax(W_r x + b_r)</c> in fp32,
/// expert <c>i = argmax p</c>, output <c>p_i(x) E_i(x)</c> (keys <c>router</c>, <c>experts.*</c>).
/// Tokens are gathered once in expert order, every expert with tokens runs once on its contiguous block, and one
/// scatter restores the token order. Padding tokens are not routed
/// (their output is 0) and do not count in the routing figures. With a capacity factor each expert keeps, while
/// training, its first <c>ceil(CF * real tokens / E)</c> tokens in batch order; the overflow gets output 0 and so passes
/// through the residual. In eval mode every token is routed, so a row's output does not depend on the other rows of
/// its batch (scoring a data set in batches and serving one row give the same answer).
/// </summary>
public sealed class SwitchMoeLayer : nn.Module<Tensor, Tensor, (Tensor Output, MoeRouting Routing)>
{
    private readonly Linear router;
    private readonly MoeExperts experts;
    private readonly int expertCount;
    private readonly double? capacityFactor;

    /// <summary>Creates the router and <see cref="BertConfig.ExpertCount"/> experts for <paramref name="config"/>.</summary>
    public SwitchMoeLayer(BertConfig config) : base(nameof(SwitchMoeLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.ExpertCount, nameof(config));
        expertCount = config.ExpertCount;
        capacityFactor = config.CapacityFactor;
        router = BertInitializer.Linear(config.HiddenSize, config.ExpertCount, config.InitializerRange);
        experts = new MoeExperts(config);
        RegisterComponents();
    }

    /// <summary>The router projection H → E.</summary>
    public Linear Router => router;

    /// <summary>The stacked expert weights.</summary>
    public MoeExperts Experts => experts;

    /// <summary>
    /// Routes <paramref name="hidden"/> [B, T, H]; <paramref name="tokenMask"/> [B, T] (bool) marks the real tokens.
    /// Returns the MoE output [B, T, H] (before dropout and residual) and the layer's routing record.
    /// </summary>
    public override (Tensor Output, MoeRouting Routing) forward(Tensor hidden, Tensor tokenMask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(tokenMask);
        using var scope = NewDisposeScope();
        var tokens = hidden.reshape(-1, hidden.shape[^1]);
        var real = tokenMask.reshape(-1).to(ScalarType.Bool);
        var realWeight = real.to(ScalarType.Float32);
        var tokenCount = tokens.shape[0];

        // The router runs in fp32 whatever the model dtype: softmax over experts is precision-sensitive.
        var logits = nn.functional.linear(
            tokens.to(ScalarType.Float32), router.weight!.to(ScalarType.Float32), router.bias!.to(ScalarType.Float32));
        var probabilities = logits.softmax(dim: -1);
        var (gate, chosen) = probabilities.max(dim: -1);

        // Padding gets the sentinel expert E so it sorts last and is never dispatched.
        using var sentinel = expertCount.ToScalar();
        var assigned = chosen.masked_fill(real.logical_not(), sentinel);
        var counts = assigned.bincount(null, expertCount + 1);
        // A key unique per token keeps batch order within an expert without relying on a stable sort.
        using var tokenScalar = tokenCount.ToScalar();
        var tokenIndex = arange(TorchScalars.Zero, tokenScalar, TorchScalars.One, dtype: ScalarType.Int64, device: tokens.device);
        var order = assigned.mul(tokenScalar).add_(tokenIndex, TorchScalars.One).argsort(dim: 0);

        var hostCounts = counts.cpu().data<long>().ToArray();
        var realTokens = hostCounts.Take(expertCount).Sum();
        var capacity = capacityFactor is { } factor && training ? (long)Math.Ceiling(factor * realTokens / expertCount) : long.MaxValue;

        // One gather puts the kept tokens in expert order, the experts run on contiguous blocks, one scatter puts
        // the results back: no per-expert gather, scatter or weight-gradient tensor.
        var keptSizes = new long[expertCount];
        var keptBlocks = new List<Tensor>(expertCount);
        long start = 0, dropped = 0;
        for (var expert = 0; expert < expertCount; expert++)
        {
            var routed = hostCounts[expert];
            keptSizes[expert] = Math.Min(routed, capacity);
            dropped += routed - keptSizes[expert];
            if (keptSizes[expert] > 0)
            {
                keptBlocks.Add(order.narrow(0, start, keptSizes[expert]));
            }

            start += routed;
        }

        var output = zeros_like(tokens);
        if (keptBlocks.Count > 0)
        {
            var kept = dropped == 0 ? order.narrow(0, 0, realTokens) : cat(keptBlocks, dim: 0);
            var expertOutput = experts.ForwardGrouped(tokens.index_select(0, kept), keptSizes);
            var gated = expertOutput * gate.index_select(0, kept).unsqueeze(-1).to(tokens.dtype);
            output = output.index_copy(0, kept, gated);
        }

        var realCount = realWeight.sum().clamp_min(TorchScalars.One);
        var probabilityMean = (probabilities * realWeight.unsqueeze(-1)).sum(dim: 0) / realCount;
        var entropy = -(probabilities * logits.log_softmax(dim: -1)).sum(dim: -1);
        var meanEntropy = ((entropy * realWeight).sum() / realCount).detach();
        // Filled on the device, not made with tensor(): on CUDA a tensor made from a host value waits for the stream to
        // drain, here after the experts' kernels were queued, once per MoE layer per forward.
        using var droppedScalar = dropped.ToScalar();
        var routing = new MoeRouting(
            probabilityMean,
            counts.narrow(0, 0, expertCount).detach(),
            full([], droppedScalar, ScalarType.Int64, tokens.device),
            meanEntropy);
        return (output.reshape(hidden.shape).MoveToOuterDisposeScope(), routing.MoveToOuterDisposeScope());
    }
}
