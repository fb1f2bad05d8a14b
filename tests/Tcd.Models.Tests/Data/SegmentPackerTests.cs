using Tcd.Models.Data;

namespace Tcd.Models.Tests.Data;

public sealed class SegmentPackerTests
{
    private static readonly BertTextEncoder Encoder = BertTextEncoder.CreateUncased();
    private const int Cls = 101;
    private const int Sep = 102;

    [Fact]
    public void DocumentsAreSeparatedBySepAndClosedWhenNoRoomIsLeft()
    {
        var documents = new IReadOnlyList<string>[] { ["the cat sat"], ["on a mat"] };
        const int the = 1996, cat = 4937, sat = 2938, on = 2006, a = 1037, mat = 13523;

        // Capacity 4: after "the cat sat" a separator would leave no room for content, so the segment is closed.
        new SegmentPacker(Encoder, maxSequenceLength: 6).Pack(documents).Select(segment => segment.InputIds).Should().BeEquivalentTo(
            new[] { new[] { Cls, the, cat, sat, Sep }, new[] { Cls, on, a, mat, Sep } },
            options => options.WithStrictOrdering());

        // Capacity 5: the second document starts after a [SEP] and continues in the next segment.
        new SegmentPacker(Encoder, maxSequenceLength: 7).Pack(documents).Select(segment => segment.InputIds).Should().BeEquivalentTo(
            new[] { new[] { Cls, the, cat, sat, Sep, on, Sep }, new[] { Cls, a, mat, Sep } },
            options => options.WithStrictOrdering());
    }

    [Theory]
    [InlineData(128)]
    [InlineData(19)]
    public void PackingTheEnwikiSampleLosesNoTokenAndRespectsTheLength(int maxLength)
    {
        var corpus = TextCorpus.FromFiles(RepositoryFiles.Path("data/corpus/enwiki-sample.txt"));
        var expected = corpus.ReadDocuments().SelectMany(document => document).SelectMany(Encoder.Tokenize).ToList();

        var segments = new SegmentPacker(Encoder, maxLength).Pack(corpus).ToList();

        segments.Should().OnlyContain(segment => segment.Length <= maxLength && segment.InputIds[0] == Cls && segment.InputIds[segment.Length - 1] == Sep);
        segments.SkipLast(1).Should().OnlyContain(segment => segment.Length >= maxLength - 1, "every segment but the last is full, or one short at a document boundary");
        segments.Should().OnlyContain(segment => segment.TokenTypeIds.All(type => type == 0) && segment.TokenTypeIds.Length == segment.Length);
        segments.Should().OnlyContain(segment => segment.InputIds[1] != Sep && segment.InputIds[segment.Length - 2] != Sep, "separators sit between documents");
        var separators = segments.Sum(segment => segment.InputIds.Count(id => id == Sep) - 1);
        separators.Should().BeInRange(1, 9, "ten documents have at most nine boundaries inside segments");
        var content = segments.SelectMany(segment => segment.InputIds.Where(id => id != Cls && id != Sep)).ToList();
        content.Should().Equal(expected);
    }

    [Fact]
    public void PackingIsDeterministicAndStreaming()
    {
        var packer = new SegmentPacker(Encoder, maxSequenceLength: 16);
        var corpus = TextCorpus.FromTexts(new[] { "The first document is here.", "A second one follows it, somewhat longer than the first one is." });

        packer.Pack(corpus).Select(segment => segment.InputIds).Should().BeEquivalentTo(
            packer.Pack(corpus).Select(segment => segment.InputIds), options => options.WithStrictOrdering());

        // An endless document stream: taking three segments must return, so packing never reads ahead of need.
        var endless = InfiniteDocuments();
        packer.Pack(endless).Take(3).Should().HaveCount(3);
    }

    [Fact]
    public void TooSmallMaxLengthThrows()
    {
        FluentActions.Invoking(() => new SegmentPacker(Encoder, maxSequenceLength: 2)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static IEnumerable<IReadOnlyList<string>> InfiniteDocuments()
    {
        while (true)
        {
            yield return ["an endless supply of words"];
        }
    }
}
