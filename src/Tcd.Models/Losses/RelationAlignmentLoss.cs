using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>
/// TCD relation-alignment loss on hidden-state taps (section 3 of the paper): the trunk loss <c>L_T</c> on the
/// LayerNorm outputs and the inner loss <c>L_I</c> on the sublayer outputs before the residual add.
/// </summary>
/// <remarks>
/// For each tapped position the sampled tokens' vectors are gathered (<c>[G, S, H]</c>), L2-normalised, and each
/// group's <c>S × S</c> cosine matrix of the student is compared with the teacher's by mean squared error over all
/// entries; the mean over groups is that position's <c>L*</c>, and the loss is the sum of <c>L*</c> over positions.
/// Cosines do not depend on the hidden width, so student and teacher may differ in <c>H</c>. The math runs in fp32
/// (or fp64 for fp64 input); vectors are normalised with a norm floor of 1e-12, and a vector with a smaller norm
/// counts as zero (cosine 0, gradient 0), so zero vectors never give NaN or an exploding gradient. The teacher side is detached: no gradient ever reaches the teacher.
/// </remarks>
public static class RelationAlignmentLoss
{
    /// <summary>
    /// Sum over student taps of <see cref="ForPosition"/> against the teacher tap the layer mapping pairs it with.
    /// </summary>
    /// <param name="studentTaps">Student hidden states in layer order, the same number per layer, each <c>[B, T, Hs]</c>.</param>
    /// <param name="teacherTaps">Teacher hidden states in layer order, as many per layer as the student's, each <c>[B, T, Ht]</c>.</param>
    /// <param name="sampleIndex">Flat token indices into <c>B × T</c>, int64 <c>[G, S]</c>, from <see cref="RelationTokenSampler"/>.</param>
    /// <param name="layerMapping">Student-to-teacher layer pairing; tap <c>(layer, j)</c> meets teacher tap <c>(mapped layer, j)</c>.</param>
    /// <returns>A differentiable scalar.</returns>
    /// <exception cref="ArgumentException">Tap counts do not fit the mapping, or shapes do not match.</exception>
    public static Tensor Compute(
        IReadOnlyList<Tensor> studentTaps,
        IReadOnlyList<Tensor> teacherTaps,
        Tensor sampleIndex,
        LayerMapping layerMapping)
    {
        ArgumentNullException.ThrowIfNull(studentTaps);
        ArgumentNullException.ThrowIfNull(teacherTaps);
        ArgumentNullException.ThrowIfNull(layerMapping);
        var tapsPerLayer = layerMapping.TapsPerLayer(studentTaps.Count, teacherTaps.Count, "hidden-state taps", nameof(studentTaps));

        using var scope = NewDisposeScope();
        var positionLosses = new Tensor[studentTaps.Count];
        for (var tap = 0; tap < studentTaps.Count; tap++)
        {
            using var step = NewDisposeScope();
            var teacherTap = teacherTaps[layerMapping.TeacherTapFor(tap, tapsPerLayer)];
            positionLosses[tap] = ForPosition(studentTaps[tap], teacherTap, sampleIndex).MoveToOuterDisposeScope();
        }

        return stack(positionLosses).sum().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>L*</c> of one tapped position: per group the MSE between the student's and the teacher's <c>S × S</c>
    /// cosine matrices of the sampled tokens, averaged over groups.
    /// </summary>
    /// <param name="studentHidden">Student hidden states <c>[B, T, Hs]</c>.</param>
    /// <param name="teacherHidden">Teacher hidden states <c>[B, T, Ht]</c> (detached here).</param>
    /// <param name="sampleIndex">Flat token indices into <c>B × T</c>, int64 <c>[G, S]</c>.</param>
    /// <returns>A differentiable scalar.</returns>
    /// <exception cref="ArgumentException">Shapes do not match.</exception>
    public static Tensor ForPosition(Tensor studentHidden, Tensor teacherHidden, Tensor sampleIndex)
    {
        ArgumentNullException.ThrowIfNull(studentHidden);
        ArgumentNullException.ThrowIfNull(teacherHidden);
        ArgumentNullException.ThrowIfNull(sampleIndex);
        Validate(studentHidden, teacherHidden, sampleIndex);

        using var scope = NewDisposeScope();
        var student = SampledUnitVectors(studentHidden, sampleIndex);
        Tensor teacherRelations;
        using (no_grad())
        {
            var teacher = SampledUnitVectors(teacherHidden, sampleIndex);
            teacherRelations = teacher.bmm(teacher.transpose(1, 2));
        }

        // Only the left factor carries the gradient, so the backward does one bmm instead of two. That gives exactly
        // half the true gradient, because d/dU mean((U Uᵀ − C)²) = (2/N)(D + Dᵀ)U with D = U Uᵀ − C symmetric, and the
        // result below doubles the gradient while keeping the value: 2x − x is exact in floating point.
        var studentRelations = student.bmm(student.detach().transpose(1, 2));
        if (studentRelations.dtype != teacherRelations.dtype)
        {
            // One side is fp64: compare in fp64, as the plain subtraction would promote.
            studentRelations = studentRelations.to_type(ScalarType.Float64);
            teacherRelations = teacherRelations.to_type(ScalarType.Float64);
        }

        // Every group has S × S entries, so the mean over all entries equals the mean over groups of each group's MSE.
        var halfGradientLoss = nn.functional.mse_loss(studentRelations, teacherRelations);
        return (2 * halfGradientLoss - halfGradientLoss.detach()).MoveToOuterDisposeScope();
    }

    /// <summary>The sampled tokens' vectors of <paramref name="hidden"/> <c>[B, T, H]</c>, L2-normalised: <c>[G, S, H]</c>.</summary>
    private static Tensor SampledUnitVectors(Tensor hidden, Tensor sampleIndex)
    {
        var width = hidden.shape[2];
        var sampled = hidden.reshape(-1, width)
                            .index_select(0, sampleIndex.reshape(-1))
                            .view(sampleIndex.shape[0], sampleIndex.shape[1], width);
        return RelationMath.UnitVectors(sampled);
    }

    private static void Validate(Tensor studentHidden, Tensor teacherHidden, Tensor sampleIndex)
    {
        if (studentHidden.dim() != 3 || teacherHidden.dim() != 3
            || studentHidden.shape[0] != teacherHidden.shape[0] || studentHidden.shape[1] != teacherHidden.shape[1])
        {
            throw new ArgumentException(
                $"Relation alignment needs student and teacher hidden states [B, T, H] with the same B and T, got student " +
                $"{RelationMath.Shape(studentHidden)} and teacher {RelationMath.Shape(teacherHidden)}. Feed both models the same batch.",
                nameof(teacherHidden));
        }

        if (sampleIndex.dim() != 2 || sampleIndex.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"The relation sample must be an int64 index tensor [G, S], got {sampleIndex.dtype} {RelationMath.Shape(sampleIndex)}. " +
                "Use RelationTokenSampler.Sample.",
                nameof(sampleIndex));
        }
    }
}
