namespace Tcd.Cli.Tests;

/// <summary>Null, empty and repeated values, in a <c>--config</c> file or on the command line, end in one line that names the option.</summary>
public sealed class ConfigValueTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("pretrain", """{ "corpus": [null], "out": "run" }""", "key \"corpus\" is [null], which is not a valid list of strings")]
    [InlineData("pretrain", """{ "corpus": null, "out": "run" }""", "key \"corpus\" is null; give --corpus a value, or leave the key out for its default")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "run", "preset": null }""", "key \"preset\" is null; give --preset a value")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "" }""", "--out is an empty path (key \"out\" of --config")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "run", "steps": 1, "steps": 2 }""", "gives the key \"steps\" more than once; keep one")]
    [InlineData("plot", """{ "runs": [null] }""", "key \"runs\" is [null], which is not a valid list of strings")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "run", "lr": "1e-3" }""", "key \"lr\" is \"1e-3\", which is not a valid number; write it without quotes: \"lr\": 1e-3.")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "run", "steps": "40" }""", "key \"steps\" is \"40\", which is not a valid whole number; write it without quotes: \"steps\": 40.")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "run", "steps": "0.5" }""", "key \"steps\" is \"0.5\", which is not a valid whole number.")]
    [InlineData("pretrain", """{ "corpus": ["a.txt"], "out": "run", "lr": "fast" }""", "key \"lr\" is \"fast\", which is not a valid number.")]
    [InlineData("pretrain", "{ \"corpus\": [\"a.txt\"],\n  \"out\": \"run\"\n  \"steps\": 1 }", "is not valid JSON: line 3, column 3: '\"' is invalid after a value.")]
    public void A_config_value_that_names_nothing_is_one_error_line_naming_the_key(string command, string json, string expected)
    {
        var config = temp.Write("run.json", json);
        temp.Write("a.txt", "Some text.");

        var (exitCode, _, error) = Cli.Run(command, "--config", config);

        exitCode.Should().Be(1);
        error.Should().StartWith($"tcd {command}: error: ").And.Contain(expected).And.NotContain("   at ");
        error.TrimEnd().Should().NotContain("\n");
    }

    [Fact]
    public void A_precision_from_the_config_file_is_checked_as_one_on_the_command_line_is()
    {
        temp.Write("teacher/model/config.json", Tcd.Models.Modeling.BertConfig.Tiny.ToJson());
        temp.Write("a.txt", "Some text.");
        var config = temp.Write("run.json", """{ "corpus": ["a.txt"], "out": "run", "teacher": "teacher", "teacher-precision": "fp16" }""");

        var (exitCode, _, error) = Cli.Run("distill", "--config", config);

        exitCode.Should().Be(1);
        error.Should().Be($"tcd distill: error: --teacher-precision: 'fp16' is not a precision; use fp32 or bf16.{Environment.NewLine}");
    }

    [Fact]
    public void A_preset_from_the_config_file_is_checked_as_one_on_the_command_line_is()
    {
        temp.Write("a.txt", "Some text.");
        temp.Write("moe/model/config.json", Tcd.Models.Modeling.BertConfig.Tiny.WithExperts(4).ToJson());
        var pretrain = temp.Write("pretrain.json", """{ "corpus": ["a.txt"], "out": "run", "preset": "huge" }""");
        var xpert = temp.Write("xpert.json", """{ "source": "moe", "domains": ["a.txt"], "out": "x", "target-preset": "huge" }""");

        var fromPretrain = Cli.Run("pretrain", "--config", pretrain);
        var fromXpert = Cli.Run("xpert", "--config", xpert);

        (fromPretrain.ExitCode, fromXpert.ExitCode).Should().Be((1, 1));
        fromPretrain.Error.Should().Be($"tcd pretrain: error: --preset: 'huge' is not one of tiny, paper-small, paper-large.{Environment.NewLine}");
        fromXpert.Error.Should().Be($"tcd xpert: error: --target-preset: 'huge' is not one of tiny, paper-small, paper-large.{Environment.NewLine}");
    }

    [Fact]
    public void A_choice_from_the_config_file_outside_the_options_choices_is_refused()
    {
        temp.Write("a.txt", "Some text.");
        temp.Write("moe/model/config.json", Tcd.Models.Modeling.BertConfig.Tiny.WithExperts(4).ToJson());
        temp.Write("run/model/config.json", Tcd.Models.Modeling.BertConfig.Tiny.ToJson());
        temp.Write("glue/SST-2/train.tsv", "sentence\tlabel\na\t1\n");
        var xpert = temp.Write("xpert.json", """{ "source": "moe", "domains": ["a.txt"], "out": "x", "scoring": "geomeen" }""");
        var glue = temp.Write("glue.json", """{ "models": ["run"], "glue": "glue", "tasks": "SST-2", "out": "suite", "grid": "huge" }""");

        var fromXpert = Cli.Run("xpert", "--config", xpert);
        var fromGlue = Cli.Run("glue", "--config", glue);

        (fromXpert.ExitCode, fromGlue.ExitCode).Should().Be((1, 1));
        fromXpert.Error.Should().Be($"tcd xpert: error: --scoring: 'geomeen' is not one of minimum, geomean.{Environment.NewLine}");
        fromGlue.Error.Should().Be($"tcd glue: error: --grid: Unknown grid 'huge'; use 'paper' (section 4.3) or 'quick'.{Environment.NewLine}");
    }

    [Theory]
    [InlineData("--out", "")]
    [InlineData("--corpus", "")]
    public void An_empty_path_on_the_command_line_is_named_by_its_option(string option, string value)
    {
        var corpus = temp.Write("a.txt", "Some text.");
        string[] required = option == "--out" ? ["--corpus", corpus] : ["--out", temp.File("run")];

        var (exitCode, _, error) = Cli.Run(["pretrain", .. required, option, value]);

        exitCode.Should().Be(1);
        error.Should().Be($"tcd pretrain: error: {option} is an empty path; give a file or folder name.{Environment.NewLine}");
    }
}
