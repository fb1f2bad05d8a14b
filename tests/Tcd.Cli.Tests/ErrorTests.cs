namespace Tcd.Cli.Tests;

public sealed class ErrorTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_missing_required_option_names_it()
    {
        var (exitCode, _, error) = Cli.Run("pretrain", "--out", temp.Path);

        exitCode.Should().Be(1);
        error.Should().Contain("'--corpus' is required");
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_a_parse_error()
    {
        var (exitCode, _, error) = Cli.Run("pretrain", "--corpus", "a.txt", "--out", temp.Path, "--steps", "many");

        exitCode.Should().NotBe(0);
        error.Should().Contain("many").And.Contain("--steps");
    }

    [Fact]
    public void An_unknown_preset_lists_the_valid_ones()
    {
        var (exitCode, _, error) = Cli.Run("pretrain", "--corpus", "a.txt", "--out", temp.Path, "--preset", "huge");

        exitCode.Should().NotBe(0);
        error.Should().Contain("huge").And.Contain("paper-small");
    }

    [Fact]
    public void An_out_of_range_value_names_the_option()
    {
        var (exitCode, _, error) = Cli.Run("pretrain", "--corpus", "a.txt", "--out", temp.Path, "--steps", "0");

        exitCode.Should().Be(1);
        error.Should().Contain("--steps");
    }

    [Fact]
    public void An_unknown_config_key_is_rejected_with_the_valid_keys()
    {
        var config = temp.Write("run.json", """{ "stepz": 5 }""");

        var (exitCode, _, error) = Cli.Run("pretrain", "--config", config);

        exitCode.Should().Be(1);
        error.Should().Contain("'stepz'").And.Contain("steps").And.Contain(config);
    }

    [Fact]
    public void A_config_value_of_the_wrong_type_names_the_key()
    {
        var config = temp.Write("run.json", """{ "steps": "many" }""");

        var (exitCode, _, error) = Cli.Run("pretrain", "--config", config, "--corpus", "a.txt", "--out", temp.Path);

        exitCode.Should().Be(1);
        error.Should().Contain("\"steps\"").And.Contain("whole number");
    }

    [Fact]
    public void A_model_folder_without_a_model_says_what_it_expects()
    {
        var (exitCode, _, error) = Cli.Run("eval", "--model", temp.Path, "--corpus", "a.txt");

        exitCode.Should().Be(1);
        error.Should().Contain("--model").And.Contain("config.json");
    }

    [Fact]
    public void An_unknown_command_fails()
    {
        Cli.Run("train").ExitCode.Should().NotBe(0);
    }

    [Fact]
    public void Help_documents_every_option_with_its_default()
    {
        var (exitCode, output, _) = Cli.Run("pretrain", "--help");

        exitCode.Should().Be(0);
        output.Should().Contain("--steps").And.Contain("[default: 1000]").And.Contain("--experts").And.Contain("[default: paper-small]")
            .And.Contain("--config").And.Contain("--device").And.Contain("[default: auto]");
    }
}
