using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// What one Switch MoE layer's router did in a forward pass. Tensors stay on the model's device; nothing is copied
/// to the host until <see cref="ToStatistics"/> is called. Padding tokens are excluded from every figure.
/// </summary>
public sealed class MoeRouting
{
    /// <summary>Creates the routing record of one layer.</summary>
    /// <param name="routerProbabilityMean">Mean router probability over real tokens [E] (differentiable).</param>
    /// <param name="tokensPerExpert">Real tokens routed to each expert, including dropped ones [E], int64.</param>
    /// <param name="droppedTokens">Real tokens dropped by the capacity limit, int64 scalar.</param>
    /// <param name="routerEntropy">Mean router entropy (nats) over real tokens, float scalar.</param>
    public MoeRouting(Tensor routerProbabilityMean, Tensor tokensPerExpert, Tensor droppedTokens, Tensor routerEntropy)
    {
        RouterProbabilityMean = routerProbabilityMean ?? throw new ArgumentNullException(nameof(routerProbabilityMean));
        TokensPerExpert = tokensPerExpert ?? throw new ArgumentNullException(nameof(tokensPerExpert));
        DroppedTokens = droppedTokens ?? throw new ArgumentNullException(nameof(droppedTokens));
        RouterEntropy = routerEntropy ?? throw new ArgumentNullException(nameof(routerEntropy));
    }

    /// <summary>Mean router probability q over the batch's real tokens, [E], float32, differentiable (input of the load-balance loss).</summary>
    public Tensor RouterProbabilityMean { get; }

    /// <summary>Number of real tokens whose top-1 expert is each expert (before capacity dropping), [E], int64, detached.</summary>
    public Tensor TokensPerExpert { get; }

    /// <summary>Number of real tokens dropped by the capacity limit (0 when dropless), int64 scalar, detached.</summary>
    public Tensor DroppedTokens { get; }

    /// <summary>Mean entropy (nats) of the router distribution over real tokens, float32 scalar, detached.</summary>
    public Tensor RouterEntropy { get; }

    /// <summary>Copies the figures to the host (one device synchronisation) and summarises them.</summary>
    public MoeLayerStatistics ToStatistics()
    {
        var counts = TokensPerExpert.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var total = counts.Sum();
        var mean = total / counts.Length;
        var dropped = DroppedTokens.to(ScalarType.Float64).cpu().item<double>();
        return new MoeLayerStatistics(
            TokenShare: counts.Select(count => total > 0 ? count / total : 0).ToArray(),
            MaxOverMean: mean > 0 ? counts.Max() / mean : 0,
            DroppedFraction: total > 0 ? dropped / total : 0,
            RouterEntropy: RouterEntropy.to(ScalarType.Float64).cpu().item<double>());
    }

    /// <summary>Moves this record's tensors to the enclosing dispose scope (see <c>torch.NewDisposeScope</c>).</summary>
    public MoeRouting MoveToOuterDisposeScope()
    {
        RouterProbabilityMean.MoveToOuterDisposeScope();
        TokensPerExpert.MoveToOuterDisposeScope();
        DroppedTokens.MoveToOuterDisposeScope();
        RouterEntropy.MoveToOuterDisposeScope();
        return this;
    }
}
