using System.Globalization;
using System.Text;
using System.Text.Json;
using Tcd.Models.Runtime;

namespace Tcd.Models.Training;

/// <summary>
/// Appends one row of named numbers per logged step to a JSON-lines file (<c>.jsonl</c> or <c>.json</c>) or a CSV
/// file (any other extension) that a user can plot. Non-finite values are written as <c>null</c> (JSON) or an empty cell (CSV);
/// the CSV columns are those of the first row. On resume, rows after the checkpoint's step are dropped first so the
/// file never holds a step twice.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    private const string FolderPurpose = "metrics file's folder";

    // No byte-order mark: Python's json.loads rejects a JSON line that starts with one, and CSV readers would read it
    // into the first column's name.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamWriter writer;
    private readonly bool isJsonLines;
    private string[]? csvColumns;

    private MetricsLog(string path, StreamWriter writer, string[]? csvColumns)
    {
        Path = path;
        this.writer = writer;
        this.csvColumns = csvColumns;
        isJsonLines = IsJsonLines(path);
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Starts a new file, replacing any existing one.</summary>
    public static MetricsLog Create(string path)
    {
        EnsureFolder(path);
        return new MetricsLog(path, new StreamWriter(path, append: false, Utf8), csvColumns: null);
    }

    /// <summary>
    /// Opens an existing file for a resumed run, keeping only the rows whose <c>step</c> is at most
    /// <paramref name="lastStep"/>. An unfinished last line (a process killed while writing it) is dropped.
    /// </summary>
    /// <exception cref="InvalidDataException">A complete line is not a metrics row; the message names the file and line.</exception>
    public static MetricsLog Resume(string path, long lastStep)
    {
        if (!File.Exists(path))
        {
            return Create(path);
        }

        var text = File.ReadAllText(path);
        // Rows are written whole with their line break and flushed: text after the last break is a row cut short.
        var lines = text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var isJsonLines = IsJsonLines(path);
        string[]? columns = null;
        var kept = new List<string>();
        if (isJsonLines)
        {
            kept.AddRange(lines.Where((line, index) => StepOf(path, index, () => StepOfJsonLine(line)) <= lastStep));
        }
        else if (lines.Length > 0)
        {
            columns = lines[0].Split(',');
            var stepColumn = Array.IndexOf(columns, "step");
            kept.Add(lines[0]);
            kept.AddRange(lines.Skip(1).Where((line, index) => stepColumn < 0
                || StepOf(path, index + 1, () => double.Parse(line.Split(',')[stepColumn], CultureInfo.InvariantCulture)) <= lastStep));
        }

        CheckpointStore.ReplaceAtomically(path, kept.Count == 0 ? string.Empty : string.Join('\n', kept) + "\n");
        return new MetricsLog(path, new StreamWriter(path, append: true, Utf8), columns);
    }

    /// <summary>
    /// Checks that <paramref name="path"/> can be written as a metrics file (it is not a folder, and no file stands
    /// where its folder should be) without creating anything, so a run refuses a bad path before its work.
    /// </summary>
    /// <exception cref="IOException">The path is a folder, or its folder cannot be created.</exception>
    public static void CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"The metrics file '{fullPath}' is a folder; give a file name such as metrics.jsonl (JSON lines) or metrics.csv.");
        }

        if (System.IO.Path.GetDirectoryName(fullPath) is { Length: > 0 } folder)
        {
            OutputFolders.Check(folder, FolderPurpose);
        }
    }

    /// <summary>The step of a line, or an error naming the file and the (1-based) line.</summary>
    private static double StepOf(string path, int lineIndex, Func<double> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IndexOutOfRangeException)
        {
            throw new InvalidDataException(
                $"{path}, line {lineIndex + 1} is not a metrics row ({ex.Message}); repair or delete the file to resume the run.", ex);
        }
    }

    private static bool IsJsonLines(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Appends one row and flushes it, so a crash loses at most the row being written.</summary>
    public void Append(IReadOnlyDictionary<string, double> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (isJsonLines)
        {
            writer.WriteLine(JsonSerializer.Serialize(row.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null), TcdJson.Compact));
        }
        else
        {
            if (csvColumns is null)
            {
                csvColumns = row.Keys.ToArray();
                writer.WriteLine(string.Join(',', csvColumns));
            }

            writer.WriteLine(string.Join(',', csvColumns.Select(column => row.TryGetValue(column, out var value) && double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : string.Empty)));
        }

        writer.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => writer.Dispose();

    private static double StepOfJsonLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number ? step.GetDouble() : double.MinValue;
    }

    private static void EnsureFolder(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            OutputFolders.Create(folder, FolderPurpose);
        }
    }
}
