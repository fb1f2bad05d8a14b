using Tcd.Models.Runtime;
using Tcd.Models.Data;
using Tcd.Models.Losses;
using Tcd.Models.Modeling;
using TorchSharp;

namespace Tcd.Models.Evaluation;

/// <summary>
/// The paper's "pre-training performance": the mean log-likelihood of masked tokens on held-out segments
/// (a negative number; −2.33 for the paper's small TCD model). Each segment's mask comes from the fixed seed and the
/// segment's position in <c>segments</c> alone, so two models evaluated with the same seed are scored on exactly the
/// same masked tokens, whatever batch size each evaluation uses; works on any corpus (e.g. out-of-distribution).
/// </summary>
public static class MaskedLmEvaluator
{
    /// <summary>Scores <paramref name="model"/> on <paramref name="segments"/> in eval mode without gradients.</summary>
    /// <param name="model">The model; its training mode is restored afterwards.</param>
    /// <param name="segments">Encoded segments, e.g. from <see cref="SegmentPacker"/>.</param>
    /// <param name="masker">The masker (15% / 80-10-10 by default).</param>
    /// <param name="batchSize">Segments per forward pass; it changes speed and memory, not which tokens are scored.</param>
    /// <param name="maskSeed">Seed of the masks; keep it fixed to compare models.</param>
    /// <param name="progress">Receives the number of segments scored after each batch.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled; nothing is returned.</exception>
    public static MaskedTokenLogLikelihood Evaluate(
        BertForMaskedLm model,
        IEnumerable<EncodedText> segments,
        MlmMasker masker,
        int batchSize = 32,
        long maskSeed = 1234,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var device = model.parameters().First().device;
        var collator = new BatchCollator(masker.SpecialTokenIds);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var total = default(MaskedTokenLogLikelihood);
            long segmentIndex = 0;
            foreach (var rows in segments.Chunk(batchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var rowSeeds = rows.Select(_ => Seeds.Combine(maskSeed, 0, segmentIndex++)).ToList();
                using var batch = masker.MaskRows(collator.Collate(rows, device), rowSeeds);
                var (positions, labels) = MaskedPositions.Select(batch.Labels!);
                var output = model.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, EncoderTaps.None, positions);
                total += MaskedLmLoss.LogLikelihood(output.Logits, labels);
                progress?.Report((int)segmentIndex);
            }

            return total;
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
