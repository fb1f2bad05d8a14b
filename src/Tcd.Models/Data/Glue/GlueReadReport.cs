using Tcd.Models.Runtime;

namespace Tcd.Models.Data.Glue;

/// <summary>
/// Counts of one <see cref="GlueReader"/> read, filled while the examples are enumerated: pass an instance to
/// <see cref="GlueReader.Read"/> and inspect it once the enumeration has finished (<see cref="IsComplete"/>).
/// A report passed to a new read is reset.
/// </summary>
public sealed class GlueReadReport
{
    /// <summary>How many skipped rows <see cref="SkippedRows"/> keeps in detail; all are counted in <see cref="SkippedCount"/>.</summary>
    public const int MaxRecordedSkippedRows = 100;

    private readonly List<GlueMalformedRow> skippedRows = [];

    /// <summary>The file read; null before a read starts.</summary>
    public string? FilePath { get; private set; }

    /// <summary>Examples returned.</summary>
    public int ExamplesRead { get; private set; }

    /// <summary>Malformed rows skipped (<see cref="GlueMalformedRowHandling.Skip"/> mode).</summary>
    public int SkippedCount { get; private set; }

    /// <summary>Blank lines (empty or whitespace only) passed over: a blank line is no row, malformed or not.</summary>
    public int BlankLines { get; private set; }

    /// <summary>The first <see cref="MaxRecordedSkippedRows"/> skipped rows with line number and reason.</summary>
    public IReadOnlyList<GlueMalformedRow> SkippedRows => skippedRows;

    /// <summary>Whether the whole file has been read (false while enumerating or after an enumeration stopped early).</summary>
    public bool IsComplete { get; private set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{FilePath}: {UserMessages.Count(ExamplesRead, "example")}, {UserMessages.Count(SkippedCount, "malformed row")} skipped{(IsComplete ? "" : " (incomplete)")}";

    /// <summary>
    /// One line on the skipped rows with the first one's line and reason ("…: 2 malformed rows skipped; first: line
    /// 101: expected 2 tab-separated columns"), or null when no row was skipped.
    /// </summary>
    public string? DescribeSkipped() =>
        SkippedCount == 0 ? null : $"{this}; first: line {SkippedRows[0].LineNumber}: {SkippedRows[0].Reason}";

    internal void Begin(string filePath)
    {
        FilePath = filePath;
        ExamplesRead = 0;
        SkippedCount = 0;
        BlankLines = 0;
        skippedRows.Clear();
        IsComplete = false;
    }

    internal void RecordExample() => ExamplesRead++;

    internal void RecordBlankLine() => BlankLines++;

    internal void RecordSkipped(GlueMalformedRow row)
    {
        SkippedCount++;
        if (skippedRows.Count < MaxRecordedSkippedRows)
        {
            skippedRows.Add(row);
        }
    }

    internal void Complete() => IsComplete = true;
}
