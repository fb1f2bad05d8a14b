namespace Tcd.Models.Data.Glue;

/// <summary>
/// A column of a GLUE TSV file: found by <paramref name="Name"/> in the header when the file has one (robust to
/// reordered columns), by 0-based <paramref name="Position"/> when it has none (CoLA train/dev).
/// </summary>
/// <param name="Name">Header name as written in the official file, e.g. <c>"sentence1"</c>, <c>"Quality"</c>.</param>
/// <param name="Position">0-based position in the official layout.</param>
public readonly record struct GlueColumn(string Name, int Position)
{
    /// <inheritdoc/>
    public override string ToString() => $"'{Name}' (column {Position})";
}
