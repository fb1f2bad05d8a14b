namespace Tcd.Docs.Tests;

/// <summary>
/// One row of a Markdown table headed <c>| option | default | paper |</c>: the option as a code span, either a member
/// path (<c>PretrainingOptions.LearningRate</c>, <c>BertConfig.PaperSmall.HiddenSize</c>) or a flag with its command
/// (<c>tcd distill --trunk-weight</c>), and the default the page states for it.
/// </summary>
/// <param name="Line">The 1-based line of the row, for failure messages.</param>
/// <param name="Option">The option cell without its backticks.</param>
/// <param name="Default">The default cell without backticks, e.g. <c>1e-4</c> or <c>null: 10 % of TotalSteps</c>.</param>
/// <param name="Paper">The paper's value cell without backticks, e.g. <c>1e-4</c> or <c>not given</c>.</param>
internal sealed record OptionTableRow(int Line, string Option, string Default, string Paper = "")
{
    private const string Header = "| option | default | paper |";

    /// <summary>The paper cell of an option whose value the paper does not give.</summary>
    public const string PaperNotGiven = "not given";

    /// <summary>Whether the row names a <c>tcd</c> flag rather than a member of a library type.</summary>
    public bool IsCommandLine => Option.StartsWith("tcd ", StringComparison.Ordinal);

    /// <summary>The rows of every option table of <paramref name="markdown"/>, in page order.</summary>
    /// <exception cref="InvalidDataException">A row's option cell is not one code span, or a row has too few cells.</exception>
    public static IReadOnlyList<OptionTableRow> In(string markdown)
    {
        var lines = markdown.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        var rows = new List<OptionTableRow>();
        for (var index = 0; index < lines.Length; index++)
        {
            if (lines[index].Trim() != Header)
            {
                continue;
            }

            // The header's separator row follows; the table ends at the first line that is not a row.
            for (index += 2; index < lines.Length && lines[index].StartsWith('|'); index++)
            {
                rows.Add(Parse(index + 1, lines[index]));
            }
        }

        return rows;
    }

    private static OptionTableRow Parse(int line, string row)
    {
        var cells = row.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
        if (cells.Length != 3)
        {
            throw new InvalidDataException($"Line {line}: an option row needs three cells (option, default, paper), got {cells.Length}: {row}");
        }

        var option = cells[0];
        if (option.Length < 3 || option[0] != '`' || option[^1] != '`' || option[1..^1].Contains('`'))
        {
            throw new InvalidDataException($"Line {line}: the option cell must be one code span, e.g. `PretrainingOptions.LearningRate`; got {option}");
        }

        return new OptionTableRow(line, option[1..^1], cells[1].Replace("`", string.Empty, StringComparison.Ordinal), cells[2].Replace("`", string.Empty, StringComparison.Ordinal));
    }
}
