namespace Tcd.Cli.Tests;

/// <summary><c>tcd fill-mask</c> on a pre-trained run's model.</summary>
public sealed class FillMaskTests(FillMaskTests.PretrainedRun run) : IClassFixture<FillMaskTests.PretrainedRun>
{
    private readonly TempFolder temp = run.Folder;

    /// <summary>A tiny model pre-trained one step once for all the tests: fill-mask only reads it.</summary>
    public sealed class PretrainedRun : IDisposable
    {
        public PretrainedRun()
        {
            var corpus = Folder.Write("corpus.txt", string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"The lake number {i} lies below the hills and the forest {i % 4}.")));
            Cli.Run("pretrain", "--corpus", corpus, "--out", Folder.File("run"), "--preset", "tiny", "--steps", "1", "--batch-size", "4", "--seq-length", "32", "--device", "cpu", "--threads", "1")
                .ExitCode.Should().Be(0);
        }

        internal TempFolder Folder { get; } = new();

        public void Dispose() => Folder.Dispose();
    }

    [Fact]
    public void Each_text_is_printed_with_a_line_of_guesses_per_mask()
    {
        var (exitCode, output, error) = Cli.Run("fill-mask", "--model", temp.File("run"), "--top", "3", "--device", "cpu",
            "--text", "the lake lies below the [MASK].", "--text", "[MASK] forest and the [MASK]");

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(5);
        lines[0].Should().Be("the lake lies below the [MASK].");
        lines[1].Should().StartWith("  [MASK] 1: ").And.MatchRegex(@"^  \[MASK\] 1: \S+ \d+\.\d+ %( \| \S+ \d+\.\d+ %){2}$", "three guesses, each its piece and probability")
            .And.NotContain(" 0.0 %", "a model trained one step gives each piece about 1/30,522, shown to two significant digits");
        lines[2].Should().Be("[MASK] forest and the [MASK]");
        lines[3].Should().StartWith("  [MASK] 1: ");
        lines[4].Should().StartWith("  [MASK] 2: ");
    }

    [Theory]
    [InlineData(0.4567, "45.7 %")]
    [InlineData(0.001, "0.1 %")]
    [InlineData(0.000_327_6, "0.033 %")]
    [InlineData(0.000_032_76, "0.0033 %")]
    [InlineData(0.000_000_012_34, "0.0000012 %")]
    [InlineData(1e-20, "0.000000000000 %")]
    [InlineData(0.0, "0.0 %")]
    public void A_probability_is_shown_with_one_decimal_or_two_significant_digits_below_a_tenth_of_a_percent(double probability, string shown) =>
        Commands.FillMaskCommand.Percent(probability).Should().Be(shown);

    [Fact]
    public void A_text_without_a_mask_is_named_by_its_place_among_the_texts()
    {
        var (exitCode, _, error) = Cli.Run("fill-mask", "--model", temp.File("run"), "--device", "cpu", "--text", "the [MASK] lake", "--text", "the lake");

        exitCode.Should().Be(1);
        error.Should().Contain("--text 2: The text has no [MASK] to fill: write [MASK] where the model is to guess a word").And.NotContain("Parameter");
    }

    [Fact]
    public void No_text_or_a_number_of_guesses_out_of_range_is_refused()
    {
        Cli.Run("fill-mask", "--model", temp.File("run")).Error.Should().Contain("--text");
        Cli.Run("fill-mask", "--model", temp.File("run"), "--text", "[MASK]", "--top", "0").Error.Should().Contain("--top must be 1 or more, not 0.");
        Cli.Run("fill-mask", "--model", temp.File("run"), "--text", "[MASK]", "--top", "40000").Error
            .Should().Contain("--top 40000 is more than the 30522 tokens of the model's vocabulary.").And.NotContain("--text");
    }
}
