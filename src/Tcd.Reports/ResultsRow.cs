namespace Tcd.Reports;

/// <summary>One model's row of a <see cref="ResultsTable"/>; create it with <see cref="ResultsTable.AddRow"/>.</summary>
public sealed class ResultsRow
{
    private readonly ResultsTable table;
    private readonly Dictionary<string, ResultCell> cells = new(StringComparer.Ordinal);

    internal ResultsRow(ResultsTable table, string model)
    {
        this.table = table;
        Model = model;
    }

    /// <summary>Model name, the row's first cell.</summary>
    public string Model { get; }

    /// <summary>The cell in a column, or null when it is missing.</summary>
    /// <exception cref="ArgumentException">The table has no such column.</exception>
    public ResultCell? this[string column]
    {
        get
        {
            table.RequireColumn(column);
            return cells.TryGetValue(column, out var cell) ? cell : null;
        }
    }

    /// <summary>Sets one cell and returns the row, so calls chain.</summary>
    /// <param name="column">A column of the table.</param>
    /// <param name="mean">The score or value.</param>
    /// <param name="std">Standard deviation over seeds, or null.</param>
    /// <exception cref="ArgumentException">The table has no such column, or a number is not finite.</exception>
    public ResultsRow Set(string column, double mean, double? std = null)
    {
        table.RequireColumn(column);
        cells[column] = new ResultCell(mean, std);
        return this;
    }

    /// <summary>Removes one cell, making it missing, and returns the row.</summary>
    /// <exception cref="ArgumentException">The table has no such column.</exception>
    public ResultsRow Clear(string column)
    {
        table.RequireColumn(column);
        cells.Remove(column);
        return this;
    }
}
