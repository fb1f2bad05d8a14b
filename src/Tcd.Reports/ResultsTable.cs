using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tcd.Reports;

/// <summary>
/// A results table: one row per model, one column per extra figure (e.g. "Pre-training LL") or task (e.g. "MRPC"),
/// each cell a mean with an optional ± std. Renders as Markdown (GitHub table), CSV (RFC 4180), JSON and fixed-width
/// text. Markdown and text round to <see cref="Decimals"/> (per column if set) and show a missing cell as "–"; CSV
/// and JSON keep full precision and leave a missing cell empty / null. A cell can carry a note
/// (<see cref="AddNote"/>): Markdown and text mark it <c>[1]</c>, <c>[2]</c>, ... and list the notes under the table,
/// JSON gives the cell a <c>"note"</c>; CSV, a grid of numbers, leaves notes out. Output is byte-for-byte deterministic and
/// culture-independent; lines end in "\n" except in CSV, which uses RFC 4180's "\r\n".
/// </summary>
public sealed class ResultsTable
{
    /// <summary>Shown for a missing cell in Markdown and text.</summary>
    public const string MissingCell = "–";

    private const int MaximumDecimals = 6;
    private readonly List<ResultsRow> rows = [];
    private readonly Dictionary<string, int> columnDecimals = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Model, string Column), string> cellNotes = [];
    private readonly List<string> notes = [];
    private int decimals = 1;

    /// <summary>Creates an empty table.</summary>
    /// <param name="columns">Column names after the model column, in order: extra figures first, then tasks.</param>
    /// <param name="modelHeader">Header of the first (model name) column. Default "Model".</param>
    /// <exception cref="ArgumentException">No columns, or an empty or repeated column name.</exception>
    public ResultsTable(IEnumerable<string> columns, string modelHeader = "Model")
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelHeader);
        var names = columns.ToArray();
        if (names.Length == 0)
        {
            throw new ArgumentException("A results table needs at least one column besides the model name.", nameof(columns));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal) { modelHeader };
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name) || !seen.Add(name))
            {
                throw new ArgumentException($"Column name '{name}' is empty or repeated (the model column is '{modelHeader}'); names must be unique.", nameof(columns));
            }
        }

        Columns = names;
        ModelHeader = modelHeader;
    }

    /// <summary>Header of the model-name column.</summary>
    public string ModelHeader { get; }

    /// <summary>Column names after the model column.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows in the order added.</summary>
    public IReadOnlyList<ResultsRow> Rows => rows;

    /// <summary>Decimals shown in Markdown and text for columns without their own setting (0–6). Default 1 (GLUE scores).</summary>
    public int Decimals
    {
        get => decimals;
        set => decimals = ValidDecimals(value);
    }

    /// <summary>Adds a row for a model and returns it, to be filled with <see cref="ResultsRow.Set"/>.</summary>
    public ResultsRow AddRow(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var row = new ResultsRow(this, model);
        rows.Add(row);
        return row;
    }

    /// <summary>Sets the decimals shown for one column, e.g. 2 for "Pre-training LL".</summary>
    /// <exception cref="ArgumentException">No such column, or decimals outside 0–6.</exception>
    public void SetColumnDecimals(string column, int decimalPlaces)
    {
        RequireColumn(column);
        columnDecimals[column] = ValidDecimals(decimalPlaces);
    }

    /// <summary>
    /// Notes a cell, e.g. that its score is that of a constant answer: Markdown and text mark the cell with the note's
    /// number (<c>[1]</c>; cells with the same note share it) and list the notes under the table.
    /// </summary>
    /// <param name="model">The row's model, as added with <see cref="AddRow"/>.</param>
    /// <param name="column">A column of the table.</param>
    /// <param name="note">What to say of the cell; one line. A second note on the same cell replaces the first.</param>
    /// <exception cref="ArgumentException">No such row or column, or the note is blank.</exception>
    public void AddNote(string model, string column, string note)
    {
        RequireColumn(column);
        ArgumentException.ThrowIfNullOrWhiteSpace(note);
        if (!rows.Any(row => row.Model == model))
        {
            throw new ArgumentException($"The table has no row '{model}'. Its rows are: {string.Join(", ", rows.Select(row => row.Model))}.", nameof(model));
        }

        cellNotes[(model, column)] = note;
        if (!notes.Contains(note, StringComparer.Ordinal))
        {
            notes.Add(note);
        }
    }

    /// <summary>The notes of <see cref="AddNote"/> in the order of their numbers (the first is <c>[1]</c>).</summary>
    public IReadOnlyList<string> Notes => notes.Where(cellNotes.ContainsValue).ToList();

    /// <summary>Renders a GitHub Markdown table: model column left-aligned, numbers right-aligned; the notes follow it.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        AppendMarkdownLine(text, [ModelHeader, .. Columns]);
        AppendMarkdownLine(text, [":---", .. Columns.Select(_ => "---:")]);
        foreach (var row in rows)
        {
            AppendMarkdownLine(text, [row.Model, .. Columns.Select(column => FormatCell(row, column))]);
        }

        return AppendNotes(text).ToString();
    }

    /// <summary>
    /// Renders CSV (RFC 4180): a header row, then one row per model. A column with any std gets a second column
    /// "&lt;name&gt; std" right after it. Numbers are written in full (round-trip) precision; missing cells are empty.
    /// </summary>
    public string ToCsv()
    {
        var withStd = Columns.Where(column => rows.Any(row => row[column]?.Std is not null)).ToHashSet(StringComparer.Ordinal);
        var text = new StringBuilder();
        var header = new List<string> { ModelHeader };
        foreach (var column in Columns)
        {
            header.Add(column);
            if (withStd.Contains(column))
            {
                header.Add(column + " std");
            }
        }

        AppendCsvLine(text, header);
        foreach (var row in rows)
        {
            var fields = new List<string> { row.Model };
            foreach (var column in Columns)
            {
                var cell = row[column];
                fields.Add(cell is { } value ? RoundTrip(value.Mean) : string.Empty);
                if (withStd.Contains(column))
                {
                    fields.Add(cell?.Std is { } std ? RoundTrip(std) : string.Empty);
                }
            }

            AppendCsvLine(text, fields);
        }

        return text.ToString();
    }

    /// <summary>
    /// Renders indented JSON: <c>{"columns": [...], "rows": [{"model": ..., "values": {column: {"mean": m, "std": s|null} | null}}]}</c>,
    /// numbers in full precision; a noted cell also has <c>"note": "..."</c>.
    /// </summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        var writerOptions = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, writerOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("columns");
            foreach (var column in Columns)
            {
                json.WriteStringValue(column);
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (var row in rows)
            {
                WriteJsonRow(json, row);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Renders a fixed-width plain-text table for consoles: model column left-aligned, numbers right-aligned.</summary>
    public string ToText()
    {
        var table = new List<string[]> { (string[])[ModelHeader, .. Columns] };
        table.AddRange(rows.Select(row => (string[])[row.Model, .. Columns.Select(column => FormatCell(row, column))]));
        var widths = Enumerable.Range(0, Columns.Count + 1).Select(index => table.Max(line => line[index].Length)).ToArray();
        var text = new StringBuilder();
        AppendTextLine(text, table[0], widths);
        AppendTextLine(text, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var line in table.Skip(1))
        {
            AppendTextLine(text, line, widths);
        }

        return AppendNotes(text).ToString();
    }

    /// <summary>Writes <see cref="ToMarkdown"/> to a file, creating its folder if missing.</summary>
    public void WriteMarkdown(string path) => OutputFile.WriteText(path, ToMarkdown());

    /// <summary>Writes <see cref="ToCsv"/> to a file, creating its folder if missing.</summary>
    public void WriteCsv(string path) => OutputFile.WriteText(path, ToCsv());

    /// <summary>Writes <see cref="ToJson"/> to a file, creating its folder if missing.</summary>
    public void WriteJson(string path) => OutputFile.WriteText(path, ToJson());

    /// <summary>Writes <see cref="ToText"/> to a file, creating its folder if missing.</summary>
    public void WriteText(string path) => OutputFile.WriteText(path, ToText());

    /// <summary>Writes the format the extension names: <c>.md</c>, <c>.csv</c>, <c>.json</c> or <c>.txt</c>.</summary>
    /// <exception cref="ArgumentException">Any other extension.</exception>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var rendered = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".md" or ".markdown" => ToMarkdown(),
            ".csv" => ToCsv(),
            ".json" => ToJson(),
            ".txt" => ToText(),
            var other => throw new ArgumentException($"Cannot tell the table format from '{path}' (extension '{other}'); use .md, .csv, .json or .txt.", nameof(path)),
        };
        OutputFile.WriteText(path, rendered);
    }

    internal void RequireColumn(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (!Columns.Contains(column, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The table has no column '{column}'. Its columns are: {string.Join(", ", Columns)}.", nameof(column));
        }
    }

    private static int ValidDecimals(int value) =>
        value is >= 0 and <= MaximumDecimals
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Decimals must be between 0 and {MaximumDecimals}.");

    private static string RoundTrip(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private string FormatCell(ResultsRow row, string column)
    {
        var marker = NoteOf(row, column) is { } note ? $" {Marker(note)}" : string.Empty;
        if (row[column] is not { } cell)
        {
            return MissingCell + marker;
        }

        var format = "F" + (columnDecimals.TryGetValue(column, out var own) ? own : decimals).ToString(CultureInfo.InvariantCulture);
        var mean = cell.Mean.ToString(format, CultureInfo.InvariantCulture);
        return (cell.Std is { } std ? $"{mean} ± {std.ToString(format, CultureInfo.InvariantCulture)}" : mean) + marker;
    }

    private string? NoteOf(ResultsRow row, string column) => cellNotes.GetValueOrDefault((row.Model, column));

    /// <summary>The marker of a note: its number among the notes still on a cell, e.g. <c>[1]</c>.</summary>
    private string Marker(string note) => string.Create(CultureInfo.InvariantCulture, $"[{Notes.ToList().IndexOf(note) + 1}]");

    /// <summary>A blank line and one line per note, led by its marker, after the table; nothing without notes.</summary>
    private StringBuilder AppendNotes(StringBuilder text)
    {
        var current = Notes;
        if (current.Count > 0)
        {
            text.Append('\n');
            foreach (var note in current)
            {
                text.Append(Marker(note)).Append(' ').Append(note).Append('\n');
            }
        }

        return text;
    }

    private static void AppendMarkdownLine(StringBuilder text, IEnumerable<string> cells) =>
        text.Append("| ").AppendJoin(" | ", cells.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");

    private static void AppendCsvLine(StringBuilder text, IEnumerable<string> fields) =>
        text.AppendJoin(',', fields.Select(QuoteCsv)).Append("\r\n");

    private static string QuoteCsv(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private static void AppendTextLine(StringBuilder text, string[] cells, int[] widths)
    {
        var line = new StringBuilder(cells[0].PadRight(widths[0]));
        for (var index = 1; index < cells.Length; index++)
        {
            line.Append("  ").Append(cells[index].PadLeft(widths[index]));
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private void WriteJsonRow(Utf8JsonWriter json, ResultsRow row)
    {
        json.WriteStartObject();
        json.WriteString("model", row.Model);
        json.WriteStartObject("values");
        foreach (var column in Columns)
        {
            if (row[column] is not { } cell)
            {
                json.WriteNull(column);
                continue;
            }

            json.WriteStartObject(column);
            json.WriteNumber("mean", cell.Mean);
            if (cell.Std is { } std)
            {
                json.WriteNumber("std", std);
            }
            else
            {
                json.WriteNull("std");
            }

            if (NoteOf(row, column) is { } note)
            {
                json.WriteString("note", note);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
