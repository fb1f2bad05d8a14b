using Tcd.Models.Data;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Data;

public sealed class BatchCollatorTests
{
    private static readonly BertTextEncoder Encoder = BertTextEncoder.CreateUncased();

    [Fact]
    public void PadsToTheLongestRowWithMaskAndTypeIds()
    {
        var rows = new[]
        {
            Encoder.Encode("hello world"),                  // 4 tokens
            Encoder.Encode("hello world", "good morning"),  // 7 tokens
            Encoder.Encode(""),                             // 2 tokens
        };
        var collator = new BatchCollator(Encoder.SpecialTokenIds);

        using var batch = collator.Collate(rows, CPU);

        batch.InputIds.shape.Should().Equal(3, 7);
        batch.InputIds.dtype.Should().Be(ScalarType.Int64);
        batch.TokenTypeIds.dtype.Should().Be(ScalarType.Int64);
        batch.AttentionMask.dtype.Should().Be(ScalarType.Int64);
        batch.Labels.Should().BeNull();
        batch.TokenCount.Should().Be(13);
        batch.InputIds.data<long>().ToArray().Should().Equal(
            101, 7592, 2088, 102, 0, 0, 0,
            101, 7592, 2088, 102, 2204, 2851, 102,
            101, 102, 0, 0, 0, 0, 0);
        batch.AttentionMask.data<long>().ToArray().Should().Equal(
            1, 1, 1, 1, 0, 0, 0,
            1, 1, 1, 1, 1, 1, 1,
            1, 1, 0, 0, 0, 0, 0);
        batch.TokenTypeIds.data<long>().ToArray().Should().Equal(
            0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 1, 1, 1,
            0, 0, 0, 0, 0, 0, 0);
        batch.AttentionMask.sum().item<long>().Should().Be(batch.TokenCount);
    }

    [Fact]
    public void PadsWithTheGivenPadId()
    {
        var collator = new BatchCollator(padId: 7);

        using var batch = collator.Collate(new[] { new EncodedText([1, 2], [0, 0]), new EncodedText([3], [0]) }, CPU);

        batch.InputIds.data<long>().ToArray().Should().Equal(1, 2, 3, 7);
        batch.BatchSize.Should().Be(2);
        batch.SequenceLength.Should().Be(2);
    }

    [Fact]
    public void RejectsEmptyBatchesAndMalformedRows()
    {
        var collator = new BatchCollator(padId: 0);

        FluentActions.Invoking(() => collator.Collate(Array.Empty<EncodedText>(), CPU))
            .Should().Throw<ArgumentException>().WithMessage("*empty batch*");
        FluentActions.Invoking(() => collator.Collate(new[] { new EncodedText([1, 2], [0]) }, CPU))
            .Should().Throw<ArgumentException>().WithMessage("*Row 0*");
    }
}
