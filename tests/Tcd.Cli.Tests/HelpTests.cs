using System.CommandLine.Help;

namespace Tcd.Cli.Tests;

public sealed class HelpTests
{
    /// <summary>
    /// The promise: <c>--help</c> documents every option with its default. Switches (bool options such as
    /// <c>--no-resume</c>) are off unless given, which their help says by saying what giving them does; <c>--config</c>
    /// is the file the other options' defaults yield to.
    /// </summary>
    [Fact]
    public void Every_value_option_of_every_command_shows_its_default_or_that_it_is_required()
    {
        var commands = new TcdCommandLine(() => throw new InvalidOperationException("Printing help runs no command.")).Root.Subcommands;
        var undocumented = new List<string>();

        foreach (var command in commands)
        {
            var (exitCode, help, _) = Cli.Run(command.Name, "--help");
            exitCode.Should().Be(0);
            foreach (var option in command.Options.Where(option => option is not HelpOption && option.Name != "--config" && option.ValueType != typeof(bool)))
            {
                var entry = HelpEntry(help, option.Name);
                if (!entry.Contains("[default: ", StringComparison.Ordinal) && !entry.Contains("(required", StringComparison.Ordinal))
                {
                    undocumented.Add($"tcd {command.Name} {option.Name}");
                }
            }
        }

        commands.Select(command => command.Name).Should().Contain(["pretrain", "distill", "finetune", "glue", "xpert", "eval", "import-hf", "export-hf"]);
        undocumented.Should().BeEmpty("every option that takes a value says its default (or that it must be given) in --help");
    }

    /// <summary>The help text of <paramref name="name"/>: its line and the lines it wraps onto, up to the next option.</summary>
    private static string HelpEntry(string help, string name)
    {
        var lines = help.ReplaceLineEndings("\n").Split('\n');
        var first = Array.FindIndex(lines, line => line.TrimStart().StartsWith(name + " ", StringComparison.Ordinal));
        first.Should().BeGreaterThanOrEqualTo(0, $"--help lists {name}");
        var next = Array.FindIndex(lines, first + 1, line => line.TrimStart().StartsWith('-') || line.Length == 0);
        return string.Join(' ', lines[first..(next < 0 ? lines.Length : next)]);
    }
}
