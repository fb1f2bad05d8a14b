using System.Xml.Linq;
using Tcd.Models.Training;

namespace Tcd.Docs.Tests;

/// <summary>The reading of "Default ..." sentences that <see cref="ConfigurationDefaultsTests"/> relies on.</summary>
public class DocumentedDefaultTests
{
    [Fact]
    public void A_wrong_number_is_caught_and_the_right_one_held_as_a_float_is_not()
    {
        var documented = Parse("Peak learning rate. Default 2e-5 (paper grid: 1e-5, 2e-5, 5e-5).");

        documented.Should().Be(new DocumentedDefault("Default 2e-5 (paper grid: 1e-5, 2e-5, 5e-5).", IsLiteral: true, 2e-5));
        documented.Matches(3e-5).Should().BeFalse();
        documented.Matches(2e-5f).Should().BeTrue("a float holds 2e-5 only to about 7 digits");
        documented.Matches("2e-5").Should().BeFalse("a string is not a number");
    }

    [Theory]
    [InlineData("Steps. Default 1,000 (the paper trains far longer).", 1_000L, 1L)]
    [InlineData("Experts. Default 4, small enough for a CPU.", 4, 5)]
    [InlineData("Ratio. Default 0.06 (paper).", 0.06, 0.6)]
    [InlineData("Tolerance. Default 1e-8.", 1e-8, 1e-7)]
    [InlineData("Norm; 0 disables it. Default 1.0.", 1.0, 0.0)]
    [InlineData("Seeds. Default 1, 2, 3 (paper: several seeds).", new long[] { 1, 2, 3 }, new long[] { 1, 2 })]
    [InlineData("Device. Default \"auto\".", "auto", "cpu")]
    [InlineData("Resume. Default true.", true, false)]
    [InlineData("Folder; null writes none. Default null.", null, "checkpoints")]
    [InlineData("Warm-up. Default null: 10% of the steps.", null, 100L)]
    [InlineData("Label. Default empty (the names say it).", "", " ")]
    [InlineData("Files. Default empty.", new string[0], new[] { "a.txt" })]
    [InlineData("Mode. Default <see cref=\"F:Tcd.Models.Training.FineTuningMode.Full\"/>.", FineTuningMode.Full, FineTuningMode.Adapters)]
    public void A_literal_default_matches_the_value_it_names_and_no_other(string documentation, object? named, object? other)
    {
        var documented = Parse(documentation);

        documented.IsLiteral.Should().BeTrue();
        documented.Matches(named).Should().BeTrue();
        documented.Matches(other).Should().BeFalse();
    }

    [Fact]
    public void A_reference_to_a_static_property_names_its_value()
    {
        var documented = Parse("Cancellation. Default <see cref=\"P:System.Threading.CancellationToken.None\"/>.");

        documented.Sentence.Should().Be("Default CancellationToken.None.");
        documented.Matches(CancellationToken.None).Should().BeTrue();
        documented.Matches(new CancellationToken(canceled: true)).Should().BeFalse();
    }

    [Theory]
    [InlineData("The architecture. Default: the teacher's.", "Default: the teacher's.")]
    [InlineData("Warm-up. Default 10% of the steps.", "Default 10% of the steps.")]
    [InlineData("The run. Default <c>new PretrainingOptions()</c> (1,000 steps). See the options.", "Default new PretrainingOptions() (1,000 steps).")]
    [InlineData("Default: <see cref=\"T:Tcd.Models.Xpert.TuckerOptions\"/> defaults.", "Default: TuckerOptions defaults.")]
    public void A_default_in_words_is_prose_with_its_sentence(string documentation, string sentence)
    {
        var documented = Parse(documentation);

        documented.Should().BeEquivalentTo(new { Sentence = sentence, IsLiteral = false });
    }

    [Theory]
    [InlineData("Device to run on. Null (the default) keeps the model where it is.")]
    [InlineData("Groups per step (default 32, as in the paper).")]
    [InlineData("Uses the Default settings of the teacher.")]
    public void A_default_not_stated_in_a_sentence_of_its_own_is_missing(string documentation)
    {
        DocumentedDefault.Parse(Summary(documentation)).Should().BeNull();
    }

    [Fact]
    public void The_remarks_are_read_after_the_summary()
    {
        var documented = DocumentedDefault.Parse(Summary("Checkpoints kept."), XElement.Parse("<remarks>Default 2.</remarks>"));

        documented!.Matches(2).Should().BeTrue();
    }

    private static DocumentedDefault Parse(string summary) =>
        DocumentedDefault.Parse(Summary(summary)) ?? throw new InvalidOperationException($"No default found in '{summary}'.");

    private static XElement Summary(string text) => XElement.Parse($"<summary>{text}</summary>");
}
