using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>
/// TCD attention-relation loss <c>L_A</c> (section 3 of the paper): aligns, head by head, the cosine similarity of
/// every query with every key of the same sequence between student and teacher.
/// </summary>
/// <remarks>
/// In one layer, for every head and sequence with M real tokens, the <c>M × M</c> query–key cosine matrices of
/// student and teacher are compared by mean squared error over the <c>M²</c> entries; the mean over heads and
/// sequences is the layer's <c>L*_Attention</c>, and <c>L_A</c> is the sum over (student) layers. The computation is
/// vectorised: <c>[B, h, T, T]</c> cosines with padded queries and keys zeroed first, so every pair involving padding
/// has cosine exactly 0 on both sides and adds nothing (whatever values, even NaN, the padding held), and each
/// sequence's squared-error sum is divided by its own <c>M²</c>. Sequences without real tokens are left out of the
/// mean. Head sizes may differ between the models but head counts must match. The math runs in fp32 (or fp64) with a
/// norm floor of 1e-12 (shorter vectors count as zero: cosine 0, gradient 0); the teacher side is detached. As in
/// <see cref="RelationAlignmentLoss"/>, the gradients with respect to the student's queries and keys are computed in
/// closed form with the loss (only when needed) and handed to autograd, so nothing but them is kept for the backward.
/// </remarks>
public static class AttentionRelationLoss
{
    /// <summary>
    /// <c>L_A</c>: the sum over student layers of <see cref="ForLayer"/> against the teacher layer the mapping pairs
    /// it with.
    /// </summary>
    /// <param name="studentQueries">Student queries, one per layer, each <c>[B, h, T, ds]</c>.</param>
    /// <param name="studentKeys">Student keys, one per layer, each <c>[B, h, T, ds]</c>.</param>
    /// <param name="teacherQueries">Teacher queries, one per layer, each <c>[B, h, T, dt]</c>.</param>
    /// <param name="teacherKeys">Teacher keys, one per layer, each <c>[B, h, T, dt]</c>.</param>
    /// <param name="attentionMask">Integer mask <c>[B, T]</c>: non-zero for real tokens, 0 for padding.</param>
    /// <param name="layerMapping">Student-to-teacher layer pairing.</param>
    /// <returns>A differentiable scalar.</returns>
    /// <exception cref="ArgumentException">
    /// Head counts differ (then λ_A must be 0), layer counts do not fit the mapping, or shapes do not match.
    /// </exception>
    public static Tensor Compute(
        IReadOnlyList<Tensor> studentQueries,
        IReadOnlyList<Tensor> studentKeys,
        IReadOnlyList<Tensor> teacherQueries,
        IReadOnlyList<Tensor> teacherKeys,
        Tensor attentionMask,
        LayerMapping layerMapping)
    {
        ArgumentNullException.ThrowIfNull(studentQueries);
        ArgumentNullException.ThrowIfNull(studentKeys);
        ArgumentNullException.ThrowIfNull(teacherQueries);
        ArgumentNullException.ThrowIfNull(teacherKeys);
        ArgumentNullException.ThrowIfNull(layerMapping);
        if (studentKeys.Count != studentQueries.Count || teacherKeys.Count != teacherQueries.Count)
        {
            throw new ArgumentException(
                $"Every layer needs both queries and keys: got {studentQueries.Count} student queries with {studentKeys.Count} " +
                $"keys and {teacherQueries.Count} teacher queries with {teacherKeys.Count} keys.",
                nameof(studentKeys));
        }

        if (layerMapping.TapsPerLayer(studentQueries.Count, teacherQueries.Count, "attention layers", nameof(studentQueries)) != 1)
        {
            throw new ArgumentException(
                $"Attention relations take one query and one key tensor per layer, but {studentQueries.Count} student query " +
                $"tensors were given for {layerMapping.StudentLayers} layers.",
                nameof(studentQueries));
        }

        using var scope = NewDisposeScope();
        var layerLosses = new Tensor[studentQueries.Count];
        for (var layer = 0; layer < studentQueries.Count; layer++)
        {
            using var step = NewDisposeScope();
            var teacherLayer = layerMapping.TeacherLayerFor(layer);
            layerLosses[layer] = ForLayer(
                    studentQueries[layer], studentKeys[layer], teacherQueries[teacherLayer], teacherKeys[teacherLayer], attentionMask)
                .MoveToOuterDisposeScope();
        }

        return stack(layerLosses).sum().MoveToOuterDisposeScope();
    }

    /// <summary><c>L*_Attention</c> of one layer: query–key cosine MSE, mean over heads and sequences.</summary>
    /// <param name="studentQuery">Student queries <c>[B, h, T, ds]</c>.</param>
    /// <param name="studentKey">Student keys <c>[B, h, T, ds]</c>.</param>
    /// <param name="teacherQuery">Teacher queries <c>[B, h, T, dt]</c> (detached here).</param>
    /// <param name="teacherKey">Teacher keys <c>[B, h, T, dt]</c> (detached here).</param>
    /// <param name="attentionMask">Integer mask <c>[B, T]</c>: non-zero for real tokens, 0 for padding.</param>
    /// <returns>A differentiable scalar.</returns>
    /// <exception cref="ArgumentException">Head counts differ (then λ_A must be 0) or shapes do not match.</exception>
    public static Tensor ForLayer(Tensor studentQuery, Tensor studentKey, Tensor teacherQuery, Tensor teacherKey, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(studentQuery);
        ArgumentNullException.ThrowIfNull(studentKey);
        ArgumentNullException.ThrowIfNull(teacherQuery);
        ArgumentNullException.ThrowIfNull(teacherKey);
        ArgumentNullException.ThrowIfNull(attentionMask);
        Validate(studentQuery, studentKey, teacherQuery, teacherKey, attentionMask);

        using var scope = NewDisposeScope();
        var batch = attentionMask.shape[0];
        var real = attentionMask.ne(TorchScalars.Zero);
        var padding = real.logical_not().view(batch, 1, -1, 1);
        var needsGradient = (studentQuery.requires_grad || studentKey.requires_grad) && is_grad_enabled();

        // Zeroed padding (with its graph: the gradient is handed over through these) makes every cosine with padding
        // exactly 0 on both sides, whatever values, even NaN, the padding held.
        var maskedQuery = studentQuery.masked_fill(padding, TorchScalars.Zero);
        var maskedKey = studentKey.masked_fill(padding, TorchScalars.Zero);
        Tensor value;
        (Tensor Query, Tensor Key)? gradients = null;
        using (no_grad())
        {
            var type = RelationMath.ComparisonType(studentQuery, teacherQuery);
            var (query, queryInverseNorms) = RelationMath.Normalise(maskedQuery, type);
            var (key, keyInverseNorms) = RelationMath.Normalise(maskedKey, type);
            var (teacherQueryUnit, _) = RelationMath.Normalise(teacherQuery.masked_fill(padding, TorchScalars.Zero), type);
            var (teacherKeyUnit, _) = RelationMath.Normalise(teacherKey.masked_fill(padding, TorchScalars.Zero), type);

            // [B, h, T, T]; pairs with padding are 0 on both sides, so they add nothing.
            var difference = query.matmul(key.transpose(-2, -1)).sub_(teacherQueryUnit.matmul(teacherKeyUnit.transpose(-2, -1)));

            // Each sequence's squared errors are divided by its own M², by the head count (mean over heads) and by
            // the number of sequences with real tokens (mean over sequences).
            var realCounts = real.sum(dim: 1, type: difference.dtype);
            using var heads = difference.shape[1].ToScalar();
            var sequences = realCounts.gt(TorchScalars.Zero).sum(type: difference.dtype).clamp_min(TorchScalars.One);
            var weights = realCounts.pow(TorchScalars.Two).clamp_min(TorchScalars.One).mul(sequences).mul(heads).reciprocal().view(batch, 1, 1, 1);
            value = difference.pow(TorchScalars.Two).mul(weights).sum();
            if (needsGradient)
            {
                // L = Σ w D², D = Q̂ K̂ᵀ − C: dL/dQ̂ = 2w D K̂, dL/dK̂ = 2w Dᵀ Q̂, then through each normalisation.
                var weighted = difference.mul_(weights.mul(TorchScalars.Two));
                gradients = (
                    RelationMath.NormalisationGradient(query, queryInverseNorms, weighted.matmul(key)),
                    RelationMath.NormalisationGradient(key, keyInverseNorms, weighted.transpose(-2, -1).matmul(query)));
            }
        }

        return (gradients is { } g
                ? RelationMath.WithClosedFormGradient(value, (maskedQuery, g.Query), (maskedKey, g.Key))
                : value)
            .MoveToOuterDisposeScope();
    }

    private static void Validate(Tensor studentQuery, Tensor studentKey, Tensor teacherQuery, Tensor teacherKey, Tensor attentionMask)
    {
        if (studentQuery.dim() != 4 || teacherQuery.dim() != 4
            || !studentKey.shape.SequenceEqual(studentQuery.shape) || !teacherKey.shape.SequenceEqual(teacherQuery.shape))
        {
            throw new ArgumentException(
                "Queries and keys must be [B, heads, T, headDim] with keys shaped like queries; got student queries " +
                $"{RelationMath.Shape(studentQuery)}, keys {RelationMath.Shape(studentKey)}, teacher queries " +
                $"{RelationMath.Shape(teacherQuery)}, keys {RelationMath.Shape(teacherKey)}.",
                nameof(studentQuery));
        }

        if (studentQuery.shape[1] != teacherQuery.shape[1])
        {
            throw new ArgumentException(
                $"The attention relation loss compares head by head, so student and teacher need the same number of attention " +
                $"heads, but the student has {studentQuery.shape[1]} and the teacher {teacherQuery.shape[1]}. Set λ_A (the " +
                "attention-relation weight) to 0 for models with different head counts.",
                nameof(teacherQuery));
        }

        var batch = studentQuery.shape[0];
        var length = studentQuery.shape[2];
        if (teacherQuery.shape[0] != batch || teacherQuery.shape[2] != length
            || attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != length)
        {
            throw new ArgumentException(
                $"Student queries {RelationMath.Shape(studentQuery)}, teacher queries {RelationMath.Shape(teacherQuery)} and " +
                $"the attention mask {RelationMath.Shape(attentionMask)} must share B and T. Feed both models the same batch.",
                nameof(attentionMask));
        }
    }
}
