using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>Numerics shared by the relation losses: comparison type, safe normalisation and closed-form gradients.</summary>
internal static class RelationMath
{
    /// <summary>Norm floor for L2 normalisation, so a zero vector normalises to zero instead of NaN.</summary>
    internal const double NormEpsilon = 1e-12;

    /// <summary>
    /// The type student and teacher vectors are compared in: fp64 when either side is fp64 (as a plain subtraction
    /// would promote), otherwise fp32, also for narrower input (half, bfloat16): cosines of half-precision vectors lose
    /// too much precision for a squared-error loss on them.
    /// </summary>
    internal static ScalarType ComparisonType(Tensor student, Tensor teacher) =>
        student.dtype == ScalarType.Float64 || teacher.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>
    /// L2-normalises the last dimension in <paramref name="type"/> (fp32 or fp64, <see cref="ComparisonType"/>) and
    /// returns the factor each vector was scaled by: <c>1 / ‖v‖</c>, or 0 for a vector with norm ≤ <see cref="NormEpsilon"/>, which becomes exactly zero (cosine 0,
    /// and 0 gradient through <see cref="NormalisationGradient"/>; a plain clamp of the norm would give such a vector
    /// a gradient of 1 / ε, about 1e12).
    /// </summary>
    /// <remarks>
    /// The factor is a mask over the <c>[..., 1]</c> norms, not over the full tensor, so the masking costs nothing
    /// next to the vectors (the relation losses normalise 48 tapped <c>[G, S, H]</c> tensors per step); the clamp
    /// keeps the division finite.
    /// </remarks>
    internal static (Tensor Unit, Tensor InverseNorms) Normalise(Tensor vectors, ScalarType type)
    {
        var wide = vectors.to_type(type);
        var norms = wide.norm(dim: -1, keepdim: true);
        using var epsilon = NormEpsilon.ToScalar();
        var inverseNorms = norms.gt(epsilon).to_type(norms.dtype).div(norms.clamp_min(epsilon));
        return (wide.mul(inverseNorms), inverseNorms);
    }

    /// <summary>
    /// The gradient with respect to the vectors before <see cref="Normalise"/>, given the gradient
    /// <paramref name="unitGradient"/> with respect to the unit vectors: <c>(g − u (u·g)) / ‖v‖</c>, and 0 for the
    /// vectors that normalised to zero. Rewrites <paramref name="unitGradient"/> in place.
    /// </summary>
    internal static Tensor NormalisationGradient(Tensor unit, Tensor inverseNorms, Tensor unitGradient) =>
        unitGradient.sub_(unit.mul(unit.mul(unitGradient).sum(dim: -1, keepdim: true))).mul_(inverseNorms);

    /// <summary>
    /// Returns <paramref name="value"/> (computed without a graph) as a differentiable scalar whose gradient with
    /// respect to each input is the given closed-form gradient: the backward of the linear term <c>x·g</c> is
    /// <c>g</c>, and <c>linear − linear.detach()</c> is exactly 0. Inputs that do not require a gradient are skipped.
    /// Only first derivatives are available this way; nothing in training needs more.
    /// </summary>
    internal static Tensor WithClosedFormGradient(Tensor value, params (Tensor Input, Tensor Gradient)[] gradients)
    {
        Tensor? linear = null;
        foreach (var (input, gradient) in gradients)
        {
            if (!input.requires_grad)
            {
                continue;
            }

            var term = input.to_type(gradient.dtype).reshape(-1).dot(gradient.reshape(-1));
            linear = linear is null ? term : linear.add(term, TorchScalars.One);
        }

        return linear is null ? value : linear.sub(linear.detach()).add(value, TorchScalars.One);
    }

    /// <summary>Formats a tensor shape for error messages, e.g. <c>[2, 8, 64]</c>.</summary>
    internal static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
