using Tcd.Models.Data;
using Tcd.Models.Evaluation;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Tests.Modeling;
using TorchSharp;

namespace Tcd.Models.Tests.Evaluation;

public sealed class MaskedLmEvaluatorTests
{
    [Fact]
    public void The_batch_size_changes_neither_the_scored_tokens_nor_the_score()
    {
        var encoder = BertTextEncoder.CreateUncased();
        // Lines of very different lengths, so every batch size pads its batches to other widths.
        var segments = File.ReadLines(RepositoryFiles.Path("data/corpus/enwiki-sample.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('<'))
            .Take(23)
            .Select(line => encoder.Encode(line, maxSequenceLength: 48))
            .ToList();
        segments.Select(segment => segment.InputIds.Length).Distinct().Should().HaveCountGreaterThan(5);
        torch.manual_seed(5);
        using var model = new BertForMaskedLm(TinyConfigs.Vanilla with { VocabSize = encoder.VocabularySize, MaxPositions = 48 });
        var masker = new MlmMasker(encoder);

        var byBatch = new[] { 32, 8, 5, 1 }.Select(batchSize => MaskedLmEvaluator.Evaluate(model, segments, masker, batchSize, maskSeed: 1234)).ToList();

        byBatch.Select(score => score.Count).Should().AllBeEquivalentTo(byBatch[0].Count, "every batch size scores the same masked tokens");
        byBatch[0].Count.Should().BeGreaterThan(50);
        byBatch.Select(score => score.Mean).Should().AllSatisfy(mean => mean.Should().BeApproximately(byBatch[0].Mean, 1e-5));
        MaskedLmEvaluator.Evaluate(model, segments, masker, 8, maskSeed: 99).Should().NotBe(byBatch[0], "another mask seed scores other tokens");
    }

    [Fact]
    public void Progress_receives_the_segments_scored_after_each_batch()
    {
        var (encoder, segments) = TenShortSegments();
        using var model = TinyModel(encoder);
        var reports = new List<int>();

        MaskedLmEvaluator.Evaluate(model, segments, new MlmMasker(encoder), batchSize: 4, progress: new SynchronousProgress<int>(reports.Add));

        reports.Should().Equal(4, 8, 10);
    }

    [Fact]
    public void A_token_cancelled_while_scoring_stops_before_the_next_batch()
    {
        var (encoder, segments) = TenShortSegments();
        using var model = TinyModel(encoder);
        using var stop = new CancellationTokenSource();
        var reports = new List<int>();

        var scoring = () => MaskedLmEvaluator.Evaluate(model, segments, new MlmMasker(encoder), batchSize: 4, progress: new SynchronousProgress<int>(done =>
        {
            reports.Add(done);
            stop.Cancel();
        }), cancellationToken: stop.Token);

        scoring.Should().Throw<OperationCanceledException>();
        reports.Should().Equal([4], "the batch after the cancellation is not scored");
    }

    private static (BertTextEncoder Encoder, List<EncodedText> Segments) TenShortSegments()
    {
        var encoder = BertTextEncoder.CreateUncased();
        return (encoder, Enumerable.Range(0, 10).Select(i => encoder.Encode($"the lake number {i} lies below the hills", maxSequenceLength: 16)).ToList());
    }

    private static BertForMaskedLm TinyModel(BertTextEncoder encoder)
    {
        torch.manual_seed(5);
        return new BertForMaskedLm(TinyConfigs.Vanilla with { VocabSize = encoder.VocabularySize, MaxPositions = 16 });
    }
}
