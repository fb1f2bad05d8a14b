namespace Tcd.Cli.Tests;

/// <summary>
/// docs/cli.md, the command reference, quotes every command's <c>--help</c> as it is: a new command, or a help text
/// changed without the page, fails here.
/// </summary>
public sealed class CommandReferenceTests
{
    private const string ReferencePath = "docs/cli.md";

    /// <summary>The tool's own help and each command's, by the name the page's section gives: "tcd" or "tcd &lt;command&gt;".</summary>
    public static TheoryData<string> Commands => new(CommandNames());

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_reference_quotes_the_help_of(string command)
    {
        var (exitCode, help, _) = Cli.Run([.. command.Split(' ').Skip(1), "--help"]);
        exitCode.Should().Be(0);

        var sections = CommandReference.Read(Path.Combine(RepositoryFiles.Root(), ReferencePath));

        sections.Keys.Should().Contain(command, $"{ReferencePath} should have a '## `{command}`' section with the command's --help in a ```text block");
        sections[command].Should().Be(CommandReference.Normalise(help), $"the ```text block of '## `{command}`' in {ReferencePath} should be the output of '{command} --help'");
    }

    [Fact]
    public void The_reference_has_no_section_for_a_command_the_tool_lacks()
    {
        var sections = CommandReference.Read(Path.Combine(RepositoryFiles.Root(), ReferencePath));

        sections.Keys.Should().BeSubsetOf(CommandNames());
    }

    [Fact]
    public void A_changed_help_text_no_longer_matches_its_section()
    {
        const string page = "# t\n\n## `tcd eval`\n\nScores.\n\n```bash\ntcd eval --model m\n```\n\n```text\nDescription:\n  Score a model.  \n\nUsage:\n```\n";

        var sections = CommandReference.Parse(page);

        sections.Should().Equal(new Dictionary<string, string> { ["tcd eval"] = "Description:\n  Score a model.\n\nUsage:" });
        sections["tcd eval"].Should().NotBe(CommandReference.Normalise("Description:\n  Score a saved model.\n\nUsage:\n"));
    }

    private static IEnumerable<string> CommandNames() =>
        new TcdCommandLine(() => throw new InvalidOperationException("Help tests never run a command.")).Root.Subcommands
            .Select(command => "tcd " + command.Name)
            .Prepend("tcd");
}
