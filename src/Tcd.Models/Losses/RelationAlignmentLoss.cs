using Tcd.Models.Runtime;
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
/// <para>The gradient is computed in closed form while the loss is (only when the student's states require one and
/// gradients are enabled) and handed to autograd through a linear term whose value is exactly 0 (first derivatives only): three
/// <c>[G, S, S]</c>-sized products per position and a handful of passes, instead of autograd's record of every
/// normalisation, product and squared-error step; nothing is saved for the backward but the gradient itself
/// (24 paper-small positions, one thread: 210–240 against 225–300 ms forward + backward).</para>
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
        var needsGradient = studentHidden.requires_grad && is_grad_enabled();
        Tensor value;
        Tensor? gradient = null;
        using (no_grad())
        {
            var type = RelationMath.ComparisonType(studentHidden, teacherHidden);
            var (student, inverseNorms) = SampledUnitVectors(studentHidden, sampleIndex, type);
            var (teacher, _) = SampledUnitVectors(teacherHidden, sampleIndex, type);

            // Every group has S × S entries, so the mean over all entries is the mean over groups of each group's MSE.
            var difference = student.bmm(student.transpose(1, 2)).sub_(teacher.bmm(teacher.transpose(1, 2)));
            var entries = difference.numel();
            using var entryCount = entries.ToScalar();
            var flat = difference.view(-1);
            value = flat.dot(flat).div_(entryCount);
            if (needsGradient)
            {
                gradient = HiddenGradient(difference, student, inverseNorms, entries, studentHidden, sampleIndex);
            }
        }

        return (gradient is null ? value : RelationMath.WithClosedFormGradient(value, (studentHidden, gradient))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// dL/dh for <c>L = mean(D²)</c>, <c>D = U Uᵀ − C</c> (symmetric), <c>U = h · (1/‖h‖)</c> on the sampled rows:
    /// <c>dL/dU = (4/N) D U</c>; through the normalisation <c>dL/dh = (g − U (U·g)) / ‖h‖</c> (0 for zero vectors);
    /// unsampled tokens get 0, a token sampled twice the sum of both rows' gradients. Returned with
    /// <paramref name="studentHidden"/>'s shape.
    /// </summary>
    private static Tensor HiddenGradient(Tensor difference, Tensor unit, Tensor inverseNorms, long entries, Tensor studentHidden, Tensor sampleIndex)
    {
        using var scale = (4.0 / entries).ToScalar();
        var unitGradient = difference.bmm(unit).mul_(scale);
        var sampledGradient = RelationMath.NormalisationGradient(unit, inverseNorms, unitGradient);
        var width = studentHidden.shape[2];
        return zeros(studentHidden.shape[0] * studentHidden.shape[1], width, dtype: sampledGradient.dtype, device: sampledGradient.device)
            .index_add_(0, sampleIndex.reshape(-1), sampledGradient.view(-1, width), alpha: TorchScalars.One)
            .view(studentHidden.shape);
    }

    /// <summary>
    /// The sampled tokens' vectors of <paramref name="hidden"/> <c>[B, T, H]</c>, L2-normalised (<c>[G, S, H]</c>),
    /// and the factors they were scaled by (<c>[G, S, 1]</c>).
    /// </summary>
    private static (Tensor Unit, Tensor InverseNorms) SampledUnitVectors(Tensor hidden, Tensor sampleIndex, ScalarType type)
    {
        var width = hidden.shape[2];
        var sampled = hidden.reshape(-1, width)
                            .index_select(0, sampleIndex.reshape(-1))
                            .view(sampleIndex.shape[0], sampleIndex.shape[1], width);
        return RelationMath.Normalise(sampled, type);
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
