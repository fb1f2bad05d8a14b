using System.Text;
using System.Text.RegularExpressions;

namespace Tcd.Cli.Tests;

/// <summary>
/// The help blocks of the command reference: under each <c>## `tcd &lt;command&gt;`</c> heading (or <c>## `tcd`</c> for
/// the tool's own help), its <c>```text</c> block.
/// </summary>
internal static partial class CommandReference
{
    /// <summary>The help block of each section of the Markdown file at <paramref name="path"/>, by command.</summary>
    public static Dictionary<string, string> Read(string path) => Parse(File.ReadAllText(path));

    /// <summary>The help block of each section of <paramref name="markdown"/>, by command, normalised as <see cref="Normalise"/> does.</summary>
    /// <exception cref="InvalidDataException">A section has more than one <c>```text</c> block, or one is never closed.</exception>
    public static Dictionary<string, string> Parse(string markdown)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        string? command = null;
        var lines = markdown.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        for (var index = 0; index < lines.Length; index++)
        {
            if (lines[index].StartsWith("## ", StringComparison.Ordinal))
            {
                command = CommandHeading().Match(lines[index]) is { Success: true } heading ? heading.Groups["command"].Value : null;
                continue;
            }

            if (command is null || lines[index] != "```text")
            {
                continue;
            }

            var block = new StringBuilder();
            for (index++; index < lines.Length && lines[index] != "```"; index++)
            {
                block.Append(lines[index]).Append('\n');
            }

            if (index == lines.Length || !blocks.TryAdd(command, Normalise(block.ToString())))
            {
                throw new InvalidDataException($"The section of '{command}' should have one closed ```text block, its --help.");
            }
        }

        return blocks;
    }

    /// <summary>Help text as compared: lines without trailing white space, line ends as <c>\n</c>, no trailing blank lines.</summary>
    public static string Normalise(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd())).TrimEnd('\n');

    [GeneratedRegex("^## `(?<command>tcd(?: [a-z-]+)?)`$")]
    private static partial Regex CommandHeading();
}
