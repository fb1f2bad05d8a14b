using Tcd.Experiments.Glue;

namespace Tcd.Experiments.Tests.Glue;

/// <summary>
/// <see cref="GlueSuiteOptions.Validate"/> refuses a missing or repeated value with an <see cref="ArgumentException"/>
/// whose <see cref="ArgumentException.ParamName"/> is the option, as its other checks do, so a caller can map the error
/// to its own option without reading the message.
/// </summary>
public sealed class GlueSuiteOptionsTests
{
    private static readonly GlueSuiteOptions Valid = new()
    {
        Models = [new GlueSuiteModel("tcd", "runs/tcd")],
        GlueDirectory = Path.GetTempPath(),
        Tasks = ["MRPC"],
        OutputDirectory = "glue-results",
    };

    private static readonly Dictionary<string, (GlueSuiteOptions Options, string Option)> Refused = new()
    {
        ["no model"] = (Valid with { Models = [] }, nameof(GlueSuiteOptions.Models)),
        ["a model name twice"] = (Valid with { Models = [new GlueSuiteModel("tcd", "a"), new GlueSuiteModel("TCD", "b")] }, nameof(GlueSuiteOptions.Models)),
        ["no task"] = (Valid with { Tasks = [] }, nameof(GlueSuiteOptions.Tasks)),
        ["an unknown task"] = (Valid with { Tasks = ["MRPD"] }, nameof(GlueSuiteOptions.Tasks)),
        ["no seed"] = (Valid with { Seeds = [] }, nameof(GlueSuiteOptions.Seeds)),
        ["a seed twice"] = (Valid with { Seeds = [1, 1] }, nameof(GlueSuiteOptions.Seeds)),
    };

    public static TheoryData<string> Problems => new(Refused.Keys);

    [Fact]
    public void Options_with_every_required_value_pass()
    {
        Valid.Invoking(options => options.Validate()).Should().NotThrow();
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void A_missing_or_repeated_value_is_refused_naming_its_option(string problem)
    {
        var (options, option) = Refused[problem];
        options.Invoking(refused => refused.Validate()).Should().Throw<ArgumentException>(problem)
            .Which.Should().Match<ArgumentException>(error => error.ParamName == option && error.Message.StartsWith(option + ": "));
    }

    [Fact]
    public void A_glue_directory_that_is_not_a_folder_is_named()
    {
        var missing = Path.Combine(Path.GetTempPath(), "tcd-no-glue-" + Guid.NewGuid().ToString("N"));

        (Valid with { GlueDirectory = missing }).Invoking(options => options.Validate()).Should().Throw<DirectoryNotFoundException>()
            .WithMessage($"GlueDirectory: '{missing}' is not a folder; point it at the GLUE root holding MRPC/, RTE/, ...");
    }
}
