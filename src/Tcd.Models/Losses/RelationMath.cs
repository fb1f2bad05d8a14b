using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>Numerics shared by the relation losses: fp32 promotion and safe cosine matrices.</summary>
internal static class RelationMath
{
    /// <summary>Norm floor for L2 normalisation, so a zero vector normalises to zero instead of NaN.</summary>
    internal const double NormEpsilon = 1e-12;

    /// <summary>
    /// Returns <paramref name="tensor"/> in fp32 when it is narrower (half, bfloat16) or integral; fp32 and fp64 stay
    /// as they are. Cosines of half-precision vectors lose too much precision for a squared-error loss on them.
    /// </summary>
    internal static Tensor AtLeastFloat32(Tensor tensor) =>
        tensor.dtype is ScalarType.Float32 or ScalarType.Float64 ? tensor : tensor.to_type(ScalarType.Float32);

    /// <summary>
    /// Cosine similarity of every row vector of <paramref name="left"/> with every row vector of
    /// <paramref name="right"/> over the last dimension: [..., N, D] × [..., M, D] → [..., N, M].
    /// </summary>
    internal static Tensor CosineMatrix(Tensor left, Tensor right) =>
        matmul(UnitVectors(left), UnitVectors(right).transpose(-2, -1));

    /// <summary>
    /// L2-normalises the last dimension in fp32 (or fp64). Vectors with norm ≤ <see cref="NormEpsilon"/> become
    /// exactly zero with zero gradient: a plain clamp of the norm would give them a finite value but a gradient of
    /// 1 / ε (about 1e12), which overflows half precision and destabilises training.
    /// </summary>
    internal static Tensor UnitVectors(Tensor vectors) => Normalise(vectors).Unit;

    /// <summary>
    /// <see cref="UnitVectors"/> together with the factor each vector was scaled by: <c>1 / ‖v‖</c>, or 0 for a
    /// vector with norm ≤ <see cref="NormEpsilon"/>. The factors are what a hand-written gradient of the
    /// normalisation needs.
    /// </summary>
    /// <remarks>
    /// The factor is a mask over the <c>[..., 1]</c> norms, not over the full tensor, so the masking costs nothing
    /// next to the vectors (the relation losses normalise 48 tapped <c>[G, S, H]</c> tensors per step). Masked
    /// entries get no gradient through the mask, and the clamp keeps the division finite.
    /// </remarks>
    internal static (Tensor Unit, Tensor InverseNorms) Normalise(Tensor vectors)
    {
        var wide = AtLeastFloat32(vectors);
        var norms = wide.norm(dim: -1, keepdim: true);
        var inverseNorms = norms.gt(NormEpsilon).to_type(norms.dtype).div(norms.clamp_min(NormEpsilon));
        return (wide.mul(inverseNorms), inverseNorms);
    }

    /// <summary>Formats a tensor shape for error messages, e.g. <c>[2, 8, 64]</c>.</summary>
    internal static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
