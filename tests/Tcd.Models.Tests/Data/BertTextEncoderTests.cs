using Tcd.Models.Data;

namespace Tcd.Models.Tests.Data;

public sealed class BertTextEncoderTests
{
    private static readonly BertTextEncoder Encoder = BertTextEncoder.CreateUncased();

    [Fact]
    public void HelloWorldEncodesToKnownBertIds()
    {
        var encoded = Encoder.Encode("hello world");

        encoded.InputIds.Should().Equal(101, 7592, 2088, 102);
        encoded.TokenTypeIds.Should().Equal(0, 0, 0, 0);
        Encoder.Tokenize("Hello World!").Should().Equal(7592, 2088, 999);
    }

    [Fact]
    public void Two_encodings_of_the_same_text_are_equal_and_hash_alike_and_differing_ids_are_not()
    {
        var first = Encoder.Encode("hello world", "again");
        var second = Encoder.Encode("hello world", "again");

        first.Should().Be(second).And.NotBeSameAs(second);
        (first == second).Should().BeTrue();
        first.GetHashCode().Should().Be(second.GetHashCode());
        Encoder.Encode("hello world", "later").Should().NotBe(first);
        new EncodedText([101, 7592, 102], [0, 1, 1]).Should().NotBe(new EncodedText([101, 7592, 102], [0, 0, 0]), "the token type ids differ");
    }

    [Fact]
    public void A_string_cut_inside_an_emoji_drops_its_lone_surrogate_as_BERT_drops_invalid_characters()
    {
        var cut = "great movie \uD83D\uDE00"[..^1];

        Encoder.Tokenize(cut).Should().Equal(Encoder.Tokenize("great movie \uFFFD"));
        Encoder.Tokenize(cut).Should().Equal(Encoder.Tokenize("great movie"), "BERT's text cleaning drops U+FFFD");
        Encoder.Tokenize("\uDE00 great \uD83D").Should().Equal(Encoder.Tokenize("\uFFFD great \uFFFD"));
        Encoder.Tokenize("great movie \uD83D\uDE00").Should().Equal(Encoder.Tokenize("great movie \uD83D\uDE00"), "a whole emoji is left alone");
    }

    [Theory]
    [InlineData("x\ty")]
    [InlineData("x\ny")]
    [InlineData("x\r\ny")]
    [InlineData("x\u00A0y")]
    public void Tabs_and_line_breaks_separate_words_as_BERTs_text_cleaning_makes_them_spaces(string text) =>
        Encoder.Tokenize(text).Should().Equal([1060, 1061], "x and y are two words, not the pieces x ##y");

    [Theory]
    [InlineData("a\u200Bb", "zero-width space (format)")]
    [InlineData("a\u00ADb", "soft hyphen (format)")]
    [InlineData("a\u200Eb", "left-to-right mark (format)")]
    [InlineData("\uFEFFab", "byte-order mark (format)")]
    [InlineData("a\uE000b", "private use")]
    [InlineData("a\u0000b", "U+0000")]
    [InlineData("a\u0007b", "bell (control)")]
    public void Control_format_and_private_use_characters_are_dropped_as_BERT_drops_them(string text, string what) =>
        Encoder.Tokenize(text).Should().Equal([11113], $"the {what} is dropped and 'ab' is one word, not [UNK]");

    [Fact]
    public void Text_without_characters_to_clean_is_passed_on_as_it_is()
    {
        const string plain = "Hello, world!";
        const string accented = "Caf\u00E9 \uD83D\uDE00";

        BertTextEncoder.CleanedLikeBert(plain).Should().BeSameAs(plain);
        BertTextEncoder.CleanedLikeBert(accented).Should().Be(accented, "letters, accents and whole emoji are not BERT's control characters");
    }

    [Fact]
    public void SpecialIdsAndSizeComeFromTheEmbeddedVocabulary()
    {
        Encoder.SpecialTokenIds.Should().Be(new SpecialTokenIds(Pad: 0, Unk: 100, Cls: 101, Sep: 102, Mask: 103));
        Encoder.VocabularySize.Should().Be(30522);
        // Everything except [PAD], [UNK], [CLS], [SEP], [MASK] and [unused0]..[unused993].
        Encoder.OrdinaryTokenIds.Should().HaveCount(30522 - 999).And.NotContain(new[] { 0, 1, 99, 100, 101, 102, 103, 104 });
    }

    [Fact]
    public void SpecialIdsAreLookedUpByTokenTextInAVocabularyFile()
    {
        using var files = new TempFiles();
        var path = files.Write("vocab.txt", "[UNK]\n[CLS]\n[SEP]\n[PAD]\n[MASK]\nhello\nworld\n");

        var encoder = BertTextEncoder.FromVocabularyFile(path);

        encoder.SpecialTokenIds.Should().Be(new SpecialTokenIds(Pad: 3, Unk: 0, Cls: 1, Sep: 2, Mask: 4));
        encoder.VocabularySize.Should().Be(7);
        encoder.Encode("Hello, world").InputIds.Should().Equal(1, 5, 0, 6, 2);
    }

    [Fact]
    public void MissingOrEmptyVocabularyFileNamesThePath()
    {
        using var files = new TempFiles();
        var missing = files.PathOf("no-such-vocab.txt");
        var empty = files.Write("empty-vocab.txt", "");

        FluentActions.Invoking(() => BertTextEncoder.FromVocabularyFile(missing))
            .Should().Throw<FileNotFoundException>().WithMessage($"*{missing}*");
        FluentActions.Invoking(() => BertTextEncoder.FromVocabularyFile(empty))
            .Should().Throw<InvalidDataException>().WithMessage($"*{empty}*empty*");
    }

    [Fact]
    public void VocabularyFileWithoutSpecialTokensNamesTheFileAndTheMissingTokens()
    {
        using var files = new TempFiles();
        var path = files.Write("vocab.txt", "[UNK]\n[CLS]\n[SEP]\n[PAD]\nhello\nworld\n");
        var noSpecials = files.Write("plain-vocab.txt", "hello\nworld\n[PAD]\n[UNK]\n");

        FluentActions.Invoking(() => BertTextEncoder.FromVocabularyFile(path))
            .Should().Throw<InvalidDataException>().WithMessage($"*{path}*has no [MASK] line.*");
        FluentActions.Invoking(() => BertTextEncoder.FromVocabularyFile(noSpecials))
            .Should().Throw<InvalidDataException>().WithMessage($"*{noSpecials}*has no [CLS], [SEP], [MASK] lines.*");
    }

    [Fact]
    public void AVocabularyFileWithCrlfLineEndsReadsLikeOneWithLf()
    {
        using var files = new TempFiles();
        var crlf = files.Write("vocab.txt", "[UNK]\r\n[CLS]\r\n[SEP]\r\n[PAD]\r\n[MASK]\r\nhello\r\nworld\r\n");

        var encoder = BertTextEncoder.FromVocabularyFile(crlf);

        encoder.Vocabulary.Should().Equal("[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "hello", "world");
        encoder.Encode("Hello, world").InputIds.Should().Equal(1, 5, 0, 6, 2);
    }

    [Fact]
    public void AVocabularyFileInLatin1IsRefusedAtItsLine()
    {
        using var files = new TempFiles();
        var path = files.WriteBytes("vocab.txt", System.Text.Encoding.Latin1.GetBytes("[UNK]\n[CLS]\n[SEP]\n[PAD]\n[MASK]\ncafé\n"));

        FluentActions.Invoking(() => BertTextEncoder.FromVocabularyFile(path))
            .Should().Throw<InvalidDataException>().WithMessage($"The vocabulary file '{path}' is not UTF-8 text: line 6 holds bytes that are not UTF-8*");
    }

    [Fact]
    public void ARepeatedTokenTakesTheIdOfItsLastLine_AsHuggingFaceReadsIt()
    {
        using var files = new TempFiles();
        var path = files.Write("vocab.txt", "[UNK]\n[CLS]\n[SEP]\n[PAD]\n[MASK]\nhello\nworld\nhello\n[PAD]\n");

        var encoder = BertTextEncoder.FromVocabularyFile(path);

        encoder.VocabularySize.Should().Be(9);
        encoder.SpecialTokenIds.Pad.Should().Be(8);
        encoder.Encode("Hello, world").InputIds.Should().Equal(1, 7, 0, 6, 2);
        encoder.VocabularyFileText.Should().Be(File.ReadAllText(path));
    }

    [Fact]
    public void PairEncodingHasBothSegmentsAndTypeIds()
    {
        var encoded = Encoder.Encode("hello world", "good morning");

        encoded.InputIds.Should().Equal(101, 7592, 2088, 102, 2204, 2851, 102);
        encoded.TokenTypeIds.Should().Equal(0, 0, 0, 0, 1, 1, 1);
    }

    [Fact]
    public void LongestFirstTruncationCutsTheLongerSegmentToFitExactly()
    {
        var longText = string.Join(' ', Enumerable.Repeat("hello", 100));
        var shortText = "good morning to you";

        var oneLong = Encoder.Encode(longText, shortText, maxSequenceLength: 32);
        oneLong.Length.Should().Be(32);
        oneLong.InputIds.TakeLast(6).Should().Equal(new[] { 102, 2204, 2851, 2000, 2017, 102 }, "the short pair is kept whole");
        oneLong.TokenTypeIds.Count(type => type == 0).Should().Be(32 - 5);

        var bothLong = Encoder.Encode(longText, longText, maxSequenceLength: 32);
        bothLong.Length.Should().Be(32);
        bothLong.TokenTypeIds.Count(type => type == 0).Should().Be(1 + 15 + 1, because: "29 slots split 15 / 14, the first keeps the odd one");
        bothLong.InputIds[16].Should().Be(102);
        bothLong.InputIds[^1].Should().Be(102);
    }

    [Fact]
    public void ClosedFormTruncationMatchesTheOneTokenAtATimeRule()
    {
        for (var first = 0; first <= 20; first++)
        {
            for (var second = 0; second <= 20; second++)
            {
                for (var budget = 0; budget <= 25; budget++)
                {
                    var (a, b) = (first, second);
                    while (a + b > budget)
                    {
                        if (a > b)
                        {
                            a--;
                        }
                        else
                        {
                            b--;
                        }
                    }

                    BertTextEncoder.LongestFirstLengths(first, second, budget).Should().Be((a, b), $"first={first}, second={second}, budget={budget}");
                }
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n  ")]
    public void EmptyOrWhitespaceTextGivesOnlySpecialTokens(string text)
    {
        Encoder.Encode(text).InputIds.Should().Equal(101, 102);
        Encoder.Encode(text, text).InputIds.Should().Equal(101, 102, 102);
        Encoder.Tokenize(text).Should().BeEmpty();
    }

    [Fact]
    public void NullTextThrows()
    {
        FluentActions.Invoking(() => Encoder.Encode(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Encoder.Tokenize(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void CjkAndEmojiBecomeTokensOrUnknownWithoutThrowing()
    {
        var cjk = Encoder.Encode("日本語 テスト");
        cjk.InputIds.Should().HaveCountGreaterThan(4).And.StartWith(101).And.EndWith(102);
        cjk.InputIds.Should().OnlyContain(id => id >= 0 && id < Encoder.VocabularySize);
        Encoder.Tokenize("日本").Should().HaveCount(2, "each CJK ideograph is its own token");

        Encoder.Encode("😀").InputIds.Should().Equal(101, 100, 102);
        Encoder.Encode("I ❤ 🦄 tea").InputIds.Should().Contain(100).And.HaveCountGreaterThan(4);
    }

    [Fact]
    public void VeryLongTextIsTruncatedToMaxLength()
    {
        var text = string.Join(' ', Enumerable.Repeat("the quick brown fox", 20_000));

        var encoded = Encoder.Encode(text, maxSequenceLength: 128);

        encoded.Length.Should().Be(128);
        encoded.InputIds[0].Should().Be(101);
        encoded.InputIds[^1].Should().Be(102);
        encoded.InputIds[1..4].Should().Equal(1996, 4248, 2829);
    }

    [Fact]
    public void UncasedNormalisationLowerCasesAndStripsAccents()
    {
        Encoder.Tokenize("CAFÉ Naïve").Should().Equal(Encoder.Tokenize("cafe naive"));
    }

    [Fact]
    public void SymbolsAreSplitAsBertPunctuationNotDropped()
    {
        // Reference BERT: every non-alphanumeric ASCII character is punctuation; other symbols stay in their word.
        Encoder.Tokenize("$5 + 3 = 8^2").Should().Equal(1002, 1019, 1009, 1017, 1027, 1022, 1034, 1016);
        Encoder.Tokenize("a😀b").Should().Equal(100);
    }

    [Fact]
    public void LiteralSpecialTokenTextIsOrdinaryText()
    {
        Encoder.Tokenize("a [MASK] b [SEP]").Should().NotContain(new[] { 101, 102, 103 });
    }

    [Theory]
    [InlineData("漢字", false)]
    [InlineData("αβγ δ", false)]
    [InlineData("한국어", false)]
    [InlineData("\u00e9t\u00e9", false)] // é as one code point: stripped to "ete", not blank
    [InlineData("e\u0301", false)]
    [InlineData("\u00b2\u0663", false)] // superscript two, Arabic-Indic three
    [InlineData("😀", false)] // [UNK]
    [InlineData("\u0301", true)] // a combining accent alone: stripped by the uncased model
    [InlineData("\u200b\u00ad", true)]
    [InlineData(" \t\u0007 ", true)]
    [InlineData("", true)]
    public void IsBlank_IsTrueExactlyWhenTheTextGivesNoWordPieces(string text, bool blank)
    {
        Encoder.IsBlank(text).Should().Be(blank);
        (Encoder.Tokenize(text).Count == 0).Should().Be(blank);
    }

    [Fact]
    public void TooSmallMaxLengthThrows()
    {
        FluentActions.Invoking(() => Encoder.Encode("hi", maxSequenceLength: 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Encoder.Encode("hi", "there", maxSequenceLength: 2)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
