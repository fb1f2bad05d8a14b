namespace Tcd.Cli.Tests;

public sealed class CliTextTests
{
    [Theory]
    [InlineData(0, "step", "0 steps")]
    [InlineData(1, "step", "1 step")]
    [InlineData(2, "step", "2 steps")]
    [InlineData(1, "training example", "1 training example")]
    [InlineData(1000, "masked token", "1000 masked tokens")]
    public void Count_puts_the_noun_in_the_singular_only_for_one(long count, string noun, string expected)
    {
        CliText.Count(count, noun).Should().Be(expected);
    }
}
