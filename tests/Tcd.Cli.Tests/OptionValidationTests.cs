namespace Tcd.Cli.Tests;

public sealed class OptionValidationTests
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["TotalSteps"] = "--steps",
        ["WarmupSteps"] = "--warmup",
        ["Threshold"] = "--threshold",
        ["TopK"] = "--k",
    };

    [Fact]
    public void A_range_error_names_the_option_in_plain_words_without_the_parameter_suffix()
    {
        var error = Capture(() => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(0L, "TotalSteps"));

        error.Message.Should().Be("--steps ('0') must be more than 0.");
        Capture(() => ArgumentOutOfRangeException.ThrowIfLessThan(0, 8, "TotalSteps")).Message.Should().Be("--steps ('0') must be at least 8.");
    }

    [Fact]
    public void Property_names_in_the_text_read_as_options_also_with_their_type()
    {
        var error = OptionValidation.InOptionTerms(
            new ArgumentException("lower CommonExpertSelectionOptions.Threshold or use CommonExpertSelectionMode.TopK; WarmupSteps (50) exceeds TotalSteps (5).", "selection"),
            Names);

        error.Message.Should().Be("lower --threshold or use --k; --warmup (50) exceeds --steps (5).");
    }

    [Fact]
    public void A_missing_folder_is_reported_by_its_option()
    {
        var error = Capture(() => throw new DirectoryNotFoundException("TotalSteps: '/x' is not a folder."));

        error.Message.Should().Be("--steps: '/x' is not a folder.");
    }

    private static CliUsageException Capture(Action validate)
    {
        var run = () => OptionValidation.Run(validate, Names);
        return run.Should().Throw<CliUsageException>().Which;
    }
}
