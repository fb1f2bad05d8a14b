namespace Tcd.Models.Data.Glue;

/// <summary>A row <see cref="GlueReader"/> skipped in <see cref="GlueMalformedRowHandling.Skip"/> mode.</summary>
/// <param name="FilePath">The file read.</param>
/// <param name="LineNumber">1-based line number of the row.</param>
/// <param name="Reason">What was wrong, e.g. the column count found and expected.</param>
public sealed record GlueMalformedRow(string FilePath, int LineNumber, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{FilePath}, line {LineNumber}: {Reason}";
}
