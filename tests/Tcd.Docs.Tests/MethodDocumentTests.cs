using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Tcd.Cli;

namespace Tcd.Docs.Tests;

/// <summary>
/// <c>docs/method.md</c> maps the paper's method to options. Each row of its <c>| option | default | paper |</c> tables
/// states the default the code has — the value of a property on a new instance (or on a preset such as
/// <c>BertConfig.PaperSmall</c>), or the <c>--help</c> default of a <c>tcd</c> option — and every <c>tcd</c> command
/// line and flag the page names exists.
/// </summary>
public partial class MethodDocumentTests
{
    private const string Page = "docs/method.md";

    private static readonly string Markdown = File.ReadAllText(Path.Combine(RepositoryFiles.Root(), Page));

    private static readonly RootCommand CommandTree = new TcdCommandLine(() => throw new InvalidOperationException("The page's command lines are parsed, never run.")).Root;

    [Fact]
    public void Every_option_row_states_the_default_the_code_has()
    {
        var rows = OptionTableRow.In(Markdown);

        rows.Should().HaveCountGreaterThan(50, "the page has option tables for the objectives, the protocol, fine-tuning and XPERT")
            .And.Contain(row => row.IsCommandLine).And.Contain(row => !row.IsCommandLine);
        string.Join('\n', rows.Select(Problem).OfType<string>()).Should().BeEmpty($"every default {Page} states should be the code's");
    }

    [Fact]
    public void Every_property_whose_paper_value_the_page_gives_names_the_paper_in_its_XML_documentation()
    {
        // The property of a two-part row (Type.Property); a preset's value (BertConfig.PaperSmall.HiddenSize) is
        // documented on the preset, and a command-line flag in its --help.
        var checkedRows =
            (from row in OptionTableRow.In(Markdown)
             where !row.IsCommandLine && row.Paper != OptionTableRow.PaperNotGiven && row.Option.Count(c => c == '.') == 1
             let names = row.Option.Split('.')
             let property = ConfigurationProperty.Libraries.SelectMany(library => library.GetExportedTypes())
                 .Where(type => type.Name == names[0]).Select(type => type.GetProperty(names[1])).SingleOrDefault(found => found is not null)
             where property is not null
             select (row, Text: string.Concat(XmlDocumentation.Of(property).Select(part => part.Value)))).ToList();

        checkedRows.Should().HaveCountGreaterThan(25, "the page's tables give the paper's value of the objectives', the protocols' and XPERT's options");
        var missing = checkedRows.Where(pair => !pair.Text.Contains("paper", StringComparison.OrdinalIgnoreCase))
            .Select(pair => $"{Page}:{pair.row.Line} `{pair.row.Option}`: the paper's value is {pair.row.Paper}, but its XML documentation does not say so");
        string.Join('\n', missing).Should().BeEmpty("issue 4 promises that every option is documented with its default and the paper's value");
    }

    [Theory]
    [InlineData("PretrainingOptions.LearningRate", "2e-4")]
    [InlineData("BertConfig.PaperSmall.HiddenSize", "256")]
    [InlineData("GlueSuiteGrid.Paper.AdapterSizes", "16, 64")]
    [InlineData("PretrainingOptions.WarmupSteps", "10,000")]
    [InlineData("PretrainingOptions.LearningRate", "the paper's")]
    [InlineData("PretrainingOptions.NoSuchOption", "1")]
    [InlineData("tcd distill --trunk-weight", "2")]
    [InlineData("tcd distill --trunk-weight", "one, as in the paper")]
    [InlineData("tcd distill --attention-weight", "0")]
    [InlineData("tcd pretrain --trunk-weight", "1")]
    [InlineData("tcd train --steps", "1,000")]
    public void A_row_with_another_default_or_an_unknown_option_is_a_problem(string option, string stated)
    {
        Problem(new OptionTableRow(1, option, stated)).Should().NotBeNull();
    }

    [Theory]
    [InlineData("PretrainingOptions.LearningRate", "1e-4 (paper)")]
    [InlineData("FineTuningOptions.DefaultAdapterLearningRate", "1e-4")]
    [InlineData("PretrainingOptions.WarmupSteps", "null: 10 % of the steps")]
    [InlineData("tcd distill --attention-weight", "none: the paper's rule")]
    [InlineData("tcd pretrain --preset", "\"paper-small\"")]
    public void A_row_with_the_code_s_default_is_no_problem(string option, string stated)
    {
        Problem(new OptionTableRow(1, option, stated)).Should().BeNull();
    }

    [Fact]
    public void Every_tcd_command_line_of_the_page_parses()
    {
        var commandLines = CodeBlockLines().Where(line => line.StartsWith("tcd ", StringComparison.Ordinal)).ToList();

        commandLines.Should().HaveCountGreaterThanOrEqualTo(4, "the page's recipe runs pretrain, pretrain --experts, distill and glue");
        var problems =
            from line in commandLines
            let errors = CommandTree.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]).Errors
            where errors.Count > 0
            select $"{line}: {string.Join("; ", errors.Select(error => error.Message))}";
        string.Join('\n', problems).Should().BeEmpty();
    }

    [Fact]
    public void Every_flag_the_page_names_after_a_tcd_command_is_an_option_of_that_command()
    {
        var spans = TcdSpan().Matches(Markdown).Select(match => match.Groups["span"].Value).ToList();

        spans.Should().Contain("tcd distill --teacher-precision");
        var problems =
            from span in spans
            let words = span.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            from flag in words.Where(word => word.StartsWith("--", StringComparison.Ordinal))
            where OptionOf(words[1], flag) is null
            select $"`{span}`: tcd {words[1]} has no option {flag}";
        string.Join('\n', problems.Distinct()).Should().BeEmpty();
    }

    /// <summary>What is wrong with <paramref name="row"/>, or null when its default is the code's.</summary>
    private static string? Problem(OptionTableRow row)
    {
        var stated = DocumentedDefault.Parse(new XElement("summary", $"Default {row.Default}."))!;
        var where = $"{Page}:{row.Line} `{row.Option}`";
        if (!row.IsCommandLine)
        {
            if (!TryValueOf(row.Option, out var actual, out var why))
            {
                return $"{where}: {why}";
            }

            return !stated.IsLiteral ? $"{where}: a property's default must open with a literal (a number, null, a quoted string), got '{row.Default}'"
                : !stated.Matches(actual) ? $"{where}: the page says {row.Default}, the code has {DocumentedDefault.Show(actual)}"
                : null;
        }

        var words = row.Option.Split(' ');
        if (words.Length != 3 || OptionOf(words[1], words[2]) is not { } option)
        {
            return $"{where}: no such command and option";
        }

        if (!option.HasDefaultValue)
        {
            return stated.IsLiteral ? $"{where}: the option has no default value, so the page should say in words what happens without it, not '{row.Default}'" : null;
        }

        var helpDefault = option.GetDefaultValue();
        return stated.IsLiteral && stated.Matches(helpDefault) ? null : $"{where}: the page says {row.Default}, --help says {DocumentedDefault.Show(helpDefault)}";
    }

    /// <summary>The option <paramref name="flag"/> of <c>tcd <paramref name="command"/></c>, or null.</summary>
    private static Option? OptionOf(string command, string flag) =>
        CommandTree.Subcommands.FirstOrDefault(candidate => candidate.Name == command)?.Options
            .FirstOrDefault(option => option.Name == flag || option.Aliases.Contains(flag));

    /// <summary>
    /// The value a member path names: <c>Type.Property</c> on a new instance of a public type of the libraries, or a
    /// static member first (<c>BertConfig.PaperSmall.HiddenSize</c>, <c>FineTuningOptions.DefaultAdapterLearningRate</c>).
    /// </summary>
    private static bool TryValueOf(string path, out object? value, out string why)
    {
        value = null;
        var names = path.Split('.');
        var types = ConfigurationProperty.Libraries.SelectMany(library => library.GetExportedTypes()).Where(type => type.Name == names[0]).ToList();
        if (types.Count != 1)
        {
            why = $"{types.Count} public types of the libraries are named {names[0]}";
            return false;
        }

        var type = types[0];
        object? target = null;
        foreach (var name in names[1..])
        {
            const BindingFlags members = BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance;
            var property = type.GetProperty(name, members);
            var field = property is null ? type.GetField(name, members) : null;
            if (property is null && field is null)
            {
                why = $"{type.Name} has no public property or field {name}";
                return false;
            }

            var isStatic = property?.GetMethod?.IsStatic ?? field!.IsStatic;
            var instance = isStatic ? null : target ?? Activator.CreateInstance(type);
            target = property is not null ? property.GetValue(instance) : field!.GetValue(instance);
            type = target?.GetType() ?? property?.PropertyType ?? field!.FieldType;
        }

        value = target;
        why = string.Empty;
        return true;
    }

    /// <summary>The lines of the page's fenced code blocks, trimmed.</summary>
    private static IEnumerable<string> CodeBlockLines()
    {
        var inBlock = false;
        foreach (var line in Markdown.Split('\n').Select(line => line.Trim()))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
            }
            else if (inBlock)
            {
                yield return line;
            }
        }
    }

    [GeneratedRegex("`(?<span>tcd [a-z-]+[^`]*)`")]
    private static partial Regex TcdSpan();
}
