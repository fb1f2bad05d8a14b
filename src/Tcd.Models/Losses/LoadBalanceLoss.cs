using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>
/// Load-balance loss of a Mixture-of-Experts model: per MoE layer
/// <c>L_B = KL(u || q) = Σ_e u_e (log u_e − log q_e)</c>, where u is the uniform distribution over the E experts and
/// q the mean router probability over the batch's non-padding tokens; the result is averaged over layers.
/// It is 0 exactly when the router spreads probability evenly, and grows as q concentrates on few experts.
/// </summary>
public static class LoadBalanceLoss
{
    /// <summary>Floor applied to q before the logarithm so an expert with no probability mass gives a large, finite loss.</summary>
    public const double ProbabilityFloor = 1e-9;

    /// <summary>
    /// Computes the mean over layers of <c>KL(u || q_layer)</c>.
    /// </summary>
    /// <param name="routerProbabilityMeans">One q per MoE layer, each [E] (e.g. <c>MoeRouting.RouterProbabilityMean</c>), all the same length.</param>
    /// <returns>A differentiable float32 scalar on the device of the inputs.</returns>
    public static Tensor Compute(IReadOnlyList<Tensor> routerProbabilityMeans)
    {
        ArgumentNullException.ThrowIfNull(routerProbabilityMeans);
        if (routerProbabilityMeans.Count == 0)
        {
            throw new ArgumentException("The load-balance loss needs the router probability mean of at least one MoE layer.", nameof(routerProbabilityMeans));
        }

        using var scope = NewDisposeScope();
        var q = stack(routerProbabilityMeans.Select(mean => mean.to(ScalarType.Float32)), dim: 0);
        if (q.dim() != 2)
        {
            throw new ArgumentException($"Each router probability mean must be a vector [E]; got shape [{string.Join(", ", routerProbabilityMeans[0].shape)}].", nameof(routerProbabilityMeans));
        }

        var experts = q.shape[1];
        using var logUniform = (-Math.Log(experts)).ToScalar();
        using var floor = ProbabilityFloor.ToScalar();
        var perLayer = q.clamp_min(floor).log().neg_().add_(logUniform, TorchScalars.One).mean(dimensions: [1]);
        return perLayer.mean().MoveToOuterDisposeScope();
    }
}
