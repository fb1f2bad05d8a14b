using Tcd.Models.Data;
using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Losses;

/// <summary>
/// Masked-language-model objective: cross-entropy over the positions whose label is not
/// <see cref="IgnoreIndex"/>, and the masked-token log-likelihood used to evaluate pre-training.
/// </summary>
/// <remarks>
/// Logits are either <c>[N, V]</c> with labels <c>[N]</c> (the model already selected the masked positions) or
/// <c>[B, T, V]</c> with labels <c>[B, T]</c>. Only the scored rows are gathered before the softmax, so a full
/// <c>[B, T, V]</c> input costs no more than the selected rows. The log-softmax runs in fp32 (or fp64 for fp64
/// input) whatever the logits' precision.
/// </remarks>
public static class MaskedLmLoss
{
    /// <summary>
    /// Label value of positions that are not scored (as in PyTorch and Hugging Face): <see cref="BertBatch.IgnoreIndex"/>,
    /// the value <see cref="MlmMasker"/> writes, so the loss skips exactly the positions the masker left unmasked.
    /// </summary>
    public const long IgnoreIndex = BertBatch.IgnoreIndex;

    /// <summary>
    /// Mean cross-entropy over the scored positions; a differentiable scalar. A batch without scored positions
    /// gives 0 (not NaN), still connected to <paramref name="logits"/> so <c>backward()</c> works.
    /// </summary>
    /// <param name="logits">Prediction scores, <c>[N, V]</c> or <c>[B, T, V]</c>.</param>
    /// <param name="labels">Integer labels in <c>[0, V)</c> or <see cref="IgnoreIndex"/>, <c>[N]</c> or <c>[B, T]</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">Shapes do not match, labels are not integers, or a label is out of range.</exception>
    public static Tensor Compute(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var logLikelihoods = ScoredLogLikelihoods(logits, labels);
        using var count = Math.Max(logLikelihoods.shape[0], 1).ToScalar();
        return logLikelihoods.sum().neg().div(count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sum of <c>log p(label)</c> over the scored positions and their count, without building a graph.
    /// Aggregate batches with <c>+</c> on the result.
    /// </summary>
    /// <param name="logits">Prediction scores, <c>[N, V]</c> or <c>[B, T, V]</c>.</param>
    /// <param name="labels">Integer labels in <c>[0, V)</c> or <see cref="IgnoreIndex"/>, <c>[N]</c> or <c>[B, T]</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logits"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">Shapes do not match, labels are not integers, or a label is out of range.</exception>
    public static MaskedTokenLogLikelihood LogLikelihood(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logLikelihoods = ScoredLogLikelihoods(logits, labels);
        var sum = logLikelihoods.to_type(ScalarType.Float64).sum().item<double>();
        return new MaskedTokenLogLikelihood(sum, logLikelihoods.shape[0]);
    }

    /// <summary><c>log p(label)</c> of every scored position, flattened to <c>[N]</c>.</summary>
    private static Tensor ScoredLogLikelihoods(Tensor logits, Tensor labels)
    {
        Validate(logits, labels);
        var vocabularySize = logits.shape[^1];
        var flatLabels = labels.to_type(ScalarType.Int64).reshape(-1);
        using var ignoreIndex = IgnoreIndex.ToScalar();
        using var vocabularyEnd = vocabularySize.ToScalar();
        var scoredRows = flatLabels.ne(ignoreIndex).nonzero().squeeze(dim: 1);
        var scoredLabels = flatLabels.index_select(0, scoredRows);
        if (scoredLabels.lt(TorchScalars.Zero).logical_or(scoredLabels.ge(vocabularyEnd)).any().item<bool>())
        {
            throw new ArgumentException(
                $"MLM labels must be in [0, {vocabularySize}) (the vocabulary size of the logits) or {IgnoreIndex} for " +
                "positions that are not scored. Check that the tokenizer's vocabulary matches the model's vocab_size.",
                nameof(labels));
        }

        // The pre-training loop passes only the masked positions, all scored: gathering them again would copy the
        // [rows, vocabulary] logits (75 MB at paper-small) and zero-fill and scatter as much in the backward pass.
        var rows = logits.reshape(-1, vocabularySize);
        var scoredLogits = AtLeastFloat32(scoredRows.shape[0] == rows.shape[0] ? rows : rows.index_select(0, scoredRows));
        return scoredLogits.log_softmax(dim: -1).gather(1, scoredLabels.unsqueeze(1)).squeeze(dim: 1);
    }

    /// <summary>
    /// Returns <paramref name="tensor"/> in fp32 when it is narrower (half, bfloat16); fp32 and fp64 stay as they are.
    /// A log-softmax over the vocabulary in half precision loses too much of the small probabilities.
    /// </summary>
    private static Tensor AtLeastFloat32(Tensor tensor) =>
        tensor.dtype is ScalarType.Float32 or ScalarType.Float64 ? tensor : tensor.to_type(ScalarType.Float32);

    private static void Validate(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        var shapesMatch = logits.dim() is 2 or 3
                          && labels.dim() == logits.dim() - 1
                          && labels.shape.SequenceEqual(logits.shape[..^1]);
        if (!shapesMatch)
        {
            throw new ArgumentException(
                $"MLM logits {RelationMath.Shape(logits)} and labels {RelationMath.Shape(labels)} do not match: expected " +
                "logits [N, V] with labels [N], or logits [B, T, V] with labels [B, T].",
                nameof(labels));
        }

        if (labels.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
        {
            throw new ArgumentException(
                $"MLM labels must be an integer tensor (int64), got {labels.dtype}.", nameof(labels));
        }
    }
}
