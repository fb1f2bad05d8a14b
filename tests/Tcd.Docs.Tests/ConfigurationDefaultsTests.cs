using Xunit.Abstractions;

namespace Tcd.Docs.Tests;

/// <summary>
/// Every public configuration type (the options classes, <c>BertConfig</c>, <c>GlueSuiteGrid</c>, ...; see
/// <see cref="ConfigurationProperty"/> for the rule) documents each setting's default ("Default 2e-5 (paper grid ...)."),
/// and where that default is a literal it is the value a new instance has, so the documentation cannot drift from the
/// code; the same holds for a literal default documented for an optional parameter (the simple <c>mlContext.Tcd()</c> overloads).
/// </summary>
public class ConfigurationDefaultsTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_setting_documents_its_default_and_each_literal_default_is_the_code_s()
    {
        var problems = new List<string>();
        foreach (var property in ConfigurationProperty.Libraries.SelectMany(ConfigurationProperty.In))
        {
            var documented = DocumentedDefault.Parse(XmlDocumentation.Of(property.Property));
            if (documented is null)
            {
                problems.Add($"{property.Name}: no sentence starting with \"Default\" in its summary, value or remarks");
            }
            else if (!documented.IsLiteral)
            {
                output.WriteLine($"{property.Name}: prose, not compared: {documented.Sentence}");
            }
            else if (property.DefaultValue() is var actual && !documented.Matches(actual))
            {
                problems.Add(Drift(property.Name, documented, actual));
            }
        }

        string.Join('\n', problems).Should().BeEmpty("the XML documentation of every setting should state the default a new instance has");
    }

    [Fact]
    public void Every_literal_default_documented_for_an_optional_parameter_is_its_default_value()
    {
        var problems =
            from parameter in ConfigurationProperty.Libraries.SelectMany(OptionalParameter.In)
            let documentation = XmlDocumentation.Of(parameter.Parameter)
            let documented = documentation is null ? null : DocumentedDefault.Parse(documentation)
            where documented is { IsLiteral: true } && !documented.Matches(parameter.Parameter.DefaultValue)
            select Drift(parameter.Name, documented, parameter.Parameter.DefaultValue);

        string.Join('\n', problems).Should().BeEmpty("a parameter's documented default should be the value it takes when left out");
    }

    [Fact]
    public void Reflection_finds_the_settings_of_every_library_inherited_ones_included_and_documented_optional_parameters()
    {
        var properties = ConfigurationProperty.Libraries.SelectMany(ConfigurationProperty.In).Select(property => property.Name).ToList();

        properties.Should().Contain(
        [
            "FineTuningOptions.LearningRate",
            "BertFineTuningOptions.Training",
            "GlueSuiteOptions.Seeds",
            "LossCurveOptions.Title",
            "DistillationOptions.TextColumnName",
            "BertConfig.HiddenSize",
            "GlueSuiteGrid.FullLearningRates",
            "BertTokenizerSettings.LowerCase",
            "PretrainingObjective.LoadBalanceWeight",
        ]);
        properties.Should().NotContain(["PretrainingOptions.EffectiveWarmupSteps", "RelationTokenSamplerOptions.TokenCount", "BertConfig.HeadSize"], "read-only properties are not settings");
        properties.Should().NotContain(
            ["FineTuningResult.LastCheckpoint", "PretrainingResult.ResumedFromStep", "FineTuningProgress.IsEpochSummary", "LayerExpertSelection.Warning"],
            "what a library returns is a result, not configuration, even where it has init properties");
        ConfigurationProperty.Libraries.SelectMany(OptionalParameter.In).Where(parameter => XmlDocumentation.Of(parameter.Parameter) is not null).Select(parameter => parameter.Name)
            .Should().Contain(["TcdCatalog.PretrainTeacher(learningRate)", "TcdCatalog.TextClassifier(epochs)"]);
    }

    private static string Drift(string setting, DocumentedDefault documented, object? actual) =>
        $"{setting}: documented {DocumentedDefault.Show(documented.Value)} ({documented.Sentence}), actual {DocumentedDefault.Show(actual)}";
}
