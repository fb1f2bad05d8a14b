namespace Tcd.Cli.Tests;

/// <summary>Which known option a mistyped one is taken for in "did you mean" messages, and when none is.</summary>
public sealed class NameSuggestionTests
{
    private static readonly string[] Options = ["--batch-size", "--seq-length", "--steps", "--seed", "--lr", "--validation", "--validation-every", "--validation-segments"];

    [Theory]
    [InlineData("--batch_size", "--batch-size")]
    [InlineData("--Batch-Size", "--batch-size")]
    [InlineData("--step", "--steps")]
    [InlineData("--seq-len", "--seq-length")]
    [InlineData("--valdation", "--validation")]
    [InlineData("--sed", "--seed")]
    public void A_near_miss_or_the_start_of_one_name_is_taken_for_that_name(string given, string meant) =>
        NameSuggestion.Closest(given, Options).Should().Be(meant);

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--lx")]
    [InlineData("--val")]
    [InlineData("--stee")]
    public void A_name_far_from_all_close_only_to_a_short_one_or_the_start_of_several_gets_no_guess(string given) =>
        NameSuggestion.Closest(given, Options).Should().BeNull();
}
